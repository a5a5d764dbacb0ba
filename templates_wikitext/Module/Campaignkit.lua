--[[
Module:Campaignkit - small helpers for the campaignkit templates:
{{Campaign}}, {{Campaign event}}, {{Participant}}, {{Worklist}} and the bot's tables.

The templates pass their parameters here only for what wikitext cannot do
safely: splitting a list of usernames, checking that a value is a valid title,
URL or coordinate before turning it into a link, and listing missing fields.

Parameters arrive already escaped by whoever wrote the page (campaignkit escapes
everything it writes). A value that is not a valid title, URL or number is
returned as it came, without a link, so a helper never adds a link, template,
category or tag that the value did not already contain. The output of #invoke
is not expanded again, so "{{" in a value stays text.

Installed and kept up to date by "campaignkit templates install" (version @@version@@).
Documentation: @@docs_url@@
]]

local p = {}

local wikis = mw.loadData('Module:Campaignkit/wikis')

local function trim(value)
	return mw.text.trim(value or '')
end

-- Characters that would end a link's label early become character references.
local LABEL_ESCAPES = { ['['] = '&#91;', [']'] = '&#93;', ['|'] = '&#124;' }

local function safe_label(text)
	return (mw.ustring.gsub(text, '[%[%]|]', LABEL_ESCAPES))
end

local function user_link(name)
	name = trim(name)
	if name == '' then
		return ''
	end
	local title = mw.title.new(name, 2)
	if title == nil or title.namespace ~= 2 or title.isSubpage then
		return name
	end
	return '[[' .. title.prefixedText .. '|' .. safe_label(name) .. ']]'
end

-- The title as another wiki understands it: canonical (English) namespace name,
-- entities decoded (a value written as d&#39;Ivoire means d'Ivoire).
local function portable_text(title)
	if title.namespace == 0 then
		return title.text
	end
	return mw.site.namespaces[title.namespace].canonicalName .. ':' .. title.text
end

local function page_link(text, label, wiki)
	text = trim(text)
	if text == '' then
		return ''
	end
	label = trim(label)
	if label == '' then
		label = text
	end
	local title = mw.title.new(text)
	if title == nil then
		return label
	end
	wiki = trim(wiki)
	if wiki == '' or wiki == wikis.current then
		return '[[:' .. title.fullText .. '|' .. safe_label(label) .. ']]'
	end
	local other = wikis.wikis[wiki]
	if other == nil then
		return label
	end
	return '[' .. other.index .. '?title=' .. mw.uri.encode(portable_text(title), 'WIKI') .. ' '
		.. safe_label(label) .. ']'
end

--- {{#invoke:Campaignkit|user|Name}}: a link to the user page, or the name as text.
function p.user(frame)
	return user_link(frame.args[1])
end

--- {{#invoke:Campaignkit|users|A, B}}: user links separated by commas.
function p.users(frame)
	local links = {}
	for _, name in ipairs(mw.text.split(frame.args[1] or '', ',', true)) do
		local link = user_link(name)
		if link ~= '' then
			table.insert(links, link)
		end
	end
	return table.concat(links, ', ')
end

--- {{#invoke:Campaignkit|page|Title|label|wiki=yowiki}}: a link to a page on a configured wiki.
function p.page(frame)
	return page_link(frame.args[1], frame.args[2], frame.args.wiki)
end

--- {{#invoke:Campaignkit|titles|A\nB|wiki=yowiki}}: one link per line, as a list.
function p.titles(frame)
	local items = {}
	for _, line in ipairs(mw.text.split(frame.args[1] or '', '\n', true)) do
		local link = page_link(line, nil, frame.args.wiki)
		if link ~= '' then
			table.insert(items, '<li>' .. link .. '</li>')
		end
	end
	if #items == 0 then
		return ''
	end
	return '<ul>' .. table.concat(items) .. '</ul>'
end

--- {{#invoke:Campaignkit|category|Name|wiki=yowiki}}: a link to a category, with or without its prefix.
function p.category(frame)
	local name = trim(frame.args[1])
	if name == '' then
		return ''
	end
	local title = mw.title.new(name, 14)
	if title == nil then
		return name
	end
	if title.namespace == 14 then
		name = title.text
	end
	return page_link('Category:' .. name, name, frame.args.wiki)
end

--- {{#invoke:Campaignkit|wiki|yowiki}}: the wiki's id, linked to its main page when configured.
function p.wiki(frame)
	local id = trim(frame.args[1])
	local wiki = wikis.wikis[id]
	if wiki == nil then
		return id
	end
	return '[' .. wiki.index .. ' ' .. id .. ']'
end

--- {{#invoke:Campaignkit|known_wiki|yowiki}}: the id when it is a configured wiki, else nothing.
function p.known_wiki(frame)
	local id = trim(frame.args[1])
	if wikis.wikis[id] ~= nil then
		return id
	end
	return ''
end

--- {{#invoke:Campaignkit|url|https://...|label}}: an external link for an http(s) URL.
function p.url(frame)
	local url = trim(frame.args[1])
	local label = trim(frame.args[2])
	if label == '' then
		label = url
	end
	if not mw.ustring.match(url, '^[Hh][Tt][Tt][Pp][Ss]?://[^%s%[%]<>"{}|]+$') then
		return url
	end
	return '[' .. url .. ' ' .. safe_label(label) .. ']'
end

--- {{#invoke:Campaignkit|coordinates|6.5, 3.3}}: the coordinates linked to a map.
function p.coordinates(frame)
	local text = trim(frame.args[1])
	local lat, lon = mw.ustring.match(text, '^(-?%d+%.?%d*)%s*,%s*(-?%d+%.?%d*)$')
	lat, lon = tonumber(lat), tonumber(lon)
	if lat == nil or lon == nil or math.abs(lat) > 90 or math.abs(lon) > 180 then
		return text
	end
	return string.format(
		'[https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=15/%s/%s %s, %s]',
		lat, lon, lat, lon, lat, lon
	)
end

--- {{#invoke:Campaignkit|hashtag|Tag}}: #Tag linked to the Hashtags tool.
function p.hashtag(frame)
	local tag = mw.ustring.gsub(trim(frame.args[1]), '^#', '')
	if tag == '' then
		return ''
	end
	if mw.ustring.match(tag, '[%s%[%]{}|<>&#"]') then
		return '&#35;' .. tag
	end
	return '[https://hashtags.wmcloud.org/?query=' .. mw.uri.encode(tag) .. ' #' .. tag .. ']'
end

--- {{#invoke:Campaignkit|wikidata|Q42}}: the item linked to Wikidata.
function p.wikidata(frame)
	local id = trim(frame.args[1])
	if not mw.ustring.match(id, '^[QqPpLl]%d+$') then
		return id
	end
	id = mw.ustring.upper(id)
	return '[https://www.wikidata.org/wiki/' .. id .. ' ' .. id .. ']'
end

--- {{#invoke:Campaignkit|count_lines|text}}: how many non-empty lines.
function p.count_lines(frame)
	local count = 0
	for _, line in ipairs(mw.text.split(frame.args[1] or '', '\n', true)) do
		if trim(line) ~= '' then
			count = count + 1
		end
	end
	return count
end

--[[
{{#invoke:Campaignkit|check|category=...|intro=...|1=Label|2=value|3=Label|4=value|...}}

Lists the labels whose value is empty (the templates pass an empty value for
an invalid one too) in a note for editors, and puts the page in the tracking
category. Template pages themselves are never categorized, so documentation
examples do not fill the category.
]]
function p.check(frame)
	local args = frame.args
	local problems = {}
	local i = 1
	while args[i] ~= nil do
		if trim(args[i + 1]) == '' then
			table.insert(problems, '<li>' .. trim(args[i]) .. '</li>')
		end
		i = i + 2
	end
	if #problems == 0 then
		return ''
	end
	local note = '<div class="campaignkit-problems" role="note" style="'
		.. 'border:1px solid #d33; background:#fee7e6; padding:0.3em 0.6em; margin:0.5em 0;">'
		.. trim(args.intro) .. '<ul>' .. table.concat(problems) .. '</ul></div>'
	local category = trim(args.category)
	if category ~= '' and mw.title.getCurrentTitle().namespace ~= 10 then
		note = note .. '[[Category:' .. category .. ']]'
	end
	return note
end

return p
