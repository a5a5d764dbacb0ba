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

--[[
{{#invoke:Campaignkit|lines|text}}: a multi-line value (a description) with its
line breaks shown as line breaks. The value keeps its newlines on the page
(campaignkit writes a blank line as "&#10;" so that it never starts a new
paragraph); a newline in a table cell would show as a space, or start a
paragraph. Every line break becomes <br />, so the output is one line of text:
nothing in it is at the start of a line, and the value's own escaping (entities
for * # : ; = | and the rest) is left as it came.
]]
function p.lines(frame)
	local text = mw.ustring.gsub(trim(frame.args[1]), '&#0*10;', '\n')
	text = mw.ustring.gsub(text, '\r', '')
	return (mw.ustring.gsub(text, '\n', '<br />'))
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

--[[
Dates as organizers type them. campaignkit/dates.py is what the bot accepts:
2027-03-01 10:00, 2027-03-01T10:00, a date alone (a whole day), and 1 March 2027
or March 1, 2027 with month names in English or this wiki's language. Here the
month names of this wiki's language (as MediaWiki writes them; tone marks and
case do not matter) become English ones, and MediaWiki's own date parser reads
the rest. Numeric day/month orders and UTC offsets are refused, as the bot does.
]]

local MARKS = '[' .. mw.ustring.char(0x300) .. '-' .. mw.ustring.char(0x36F) .. ']'
local ENGLISH_MONTHS = { 'January', 'February', 'March', 'April', 'May', 'June', 'July',
	'August', 'September', 'October', 'November', 'December' }
local month_words

local function fold(text)
	return mw.ustring.lower((mw.ustring.gsub(mw.ustring.toNFD(text), MARKS, '')))
end

local function pattern_escape(text)
	return (mw.ustring.gsub(text, '[%-%.%^%$%(%)%%%[%]%*%+%?]', '%%%0'))
end

-- This wiki's month names (full and genitive; abbreviations without digits), longest
-- first; without the word every full name starts with when there is one (Yoruba "Oṣù").
local function local_months()
	if month_words then
		return month_words
	end
	month_words = {}
	local lang = mw.language.getContentLanguage()
	if lang:getCode() == 'en' then
		return month_words
	end
	local firsts = {}
	for month = 1, 12 do
		local day = string.format('2027-%02d-01', month)
		local first = mw.ustring.match(fold(lang:formatDate('F', day)), '^(%S+)%s')
		firsts[first or ''] = true
		for _, code in ipairs({ 'F', 'xg', 'M' }) do
			local name = fold(lang:formatDate(code, day))
			if name ~= '' and not mw.ustring.find(name, '%d') then
				table.insert(month_words, { name, ENGLISH_MONTHS[month] })
			end
		end
	end
	local shared = next(firsts)
	if shared ~= '' and next(firsts, shared) == nil then
		local more = {}
		for _, pair in ipairs(month_words) do
			local rest = mw.ustring.match(pair[1], '^' .. pattern_escape(shared) .. '%s+(.+)$')
			if rest then
				table.insert(more, { rest, pair[2] })
			end
		end
		for _, pair in ipairs(more) do
			table.insert(month_words, pair)
		end
	end
	table.sort(month_words, function(a, b)
		return mw.ustring.len(a[1]) > mw.ustring.len(b[1])
	end)
	return month_words
end

-- The date in English words and a Unix time, or nil when it is no date the bot accepts.
local function read_date(text)
	text = trim(text)
	if text == '' or mw.ustring.find(text, '^%d%d?[/.]%d%d?[/.]%d')
		or mw.ustring.find(text, '%d[Zz]$') or mw.ustring.find(text, '%d:%d%d%s*[+-]%d')
		or ({ utc = true, gmt = true })[fold(text):sub(-3)] then
		return nil
	end
	local english = fold(text)
	for _, pair in ipairs(local_months()) do
		english = mw.ustring.gsub(english, pattern_escape(pair[1]), pair[2])
	end
	if not mw.ustring.find(english, '%d%d%d%d') then
		return nil -- "tomorrow", "next monday": MediaWiki reads them, the bot does not
	end
	local ok, stamp = pcall(function()
		return mw.language.new('en'):formatDate('U', english)
	end)
	if not ok then
		return nil
	end
	return english, stamp
end

-- {{#invoke:Campaignkit|date_ok|value}}: "ok" when the bot can read the date, else empty.
function p.date_ok(frame)
	return read_date(frame.args[1]) and 'ok' or ''
end

-- {{#invoke:Campaignkit|when|value|time=yes}}: the date in this wiki's language (with the
-- time when one was written and time=yes), or the value as typed when it cannot be read.
function p.when(frame)
	local text = trim(frame.args[1])
	local english = read_date(text)
	if not english then
		return text
	end
	local format = 'j F Y'
	local has_time = mw.ustring.find(english, '%d:%d%d') or mw.ustring.find(english, '%d%s*[ap]%.?m')
	if trim(frame.args.time) == 'yes' and has_time then
		format = 'j F Y, H:i'
	end
	return mw.language.getContentLanguage():formatDate(format, mw.language.new('en'):formatDate('c', english))
end

--[[
The movement-wide calendar: {{Campaign events list|topic=|country=|format=|language=
|wiki=|campaign=|from=|to=|limit=}} on any page of the hub.

The bot keeps the data page (every campaign's events, sorted by start, as rows
under "columns"); this reads it with mw.loadJsonData, which MediaWiki caches for
the parse and records as a dependency: when the bot saves new data, pages that
embed the list are rendered again, with no edit to them. The filters follow the
same rules as campaignkit/codecs/calendar_data.py (the webservice's /events), and
a test renders both on the same data: from keeps events whose local end date is
on or after it (without it: the events that have not ended yet), to those whose local start date is on or
before it, campaign also matches the campaigns that are part of it, topic
compares without case with the campaign's topics (its own and its wider
campaigns'). A filter with a bad value is named in a note and left out, so a
typo never empties an affiliate's page.
]]

local CALENDAR = {
	when = [==[@@msg:calendar.when@@]==],
	event = [==[@@msg:calendar.event@@]==],
	campaign = [==[@@msg:calendar.campaign@@]==],
	format = [==[@@msg:calendar.format@@]==],
	place = [==[@@msg:calendar.place@@]==],
	language = [==[@@msg:calendar.language@@]==],
	wiki = [==[@@msg:calendar.wiki@@]==],
	signup = [==[@@msg:calendar.signup@@]==],
	signup_open = [==[@@msg:calendar.signup_open@@]==],
	signup_closed = [==[@@msg:calendar.signup_closed@@]==],
	none = [==[@@msg:calendar.none@@]==],
	no_data = [==[@@msg:calendar.no_data@@]==],
	more = [==[@@msg:calendar.more@@]==],
	ignored = [==[@@msg:calendar.ignored@@]==],
}
local FORMAT_LABELS = {
	online = [==[@@msg:choice.format.online@@]==],
	['in-person'] = [==[@@msg:choice.format.in-person@@]==],
	hybrid = [==[@@msg:choice.format.hybrid@@]==],
}
local DEFAULT_LIMIT, MAX_LIMIT = 20, 500
local EXACT_FILTERS = { 'country', 'format', 'language', 'wiki' }

local function one_line(value)
	return trim(mw.ustring.gsub(value or '', '%s+', ' '))
end

local function day_or_nil(text)
	local y, m, d = mw.ustring.match(text, '^(%d%d%d%d)%-(%d%d)%-(%d%d)$')
	if y == nil then
		return nil
	end
	local month, day = tonumber(m), tonumber(d)
	local days = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
	if month < 1 or month > 12 or day < 1 or day > days[month] then
		return nil
	end
	local year = tonumber(y)
	if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 ~= 0 or year % 400 == 0)) then
		return nil
	end
	return text
end

-- The filters as calendar_data.parse_filters reads them; bad ones are listed in ignored.
local function calendar_filters(args)
	local f, ignored = {}, {}
	local function set(name, value)
		if value ~= '' then
			f[name] = value
		end
	end
	set('topic', mw.ustring.lower(one_line(args.topic)))
	set('country', mw.ustring.upper(one_line(args.country)))
	set('language', mw.ustring.lower(one_line(args.language)))
	set('wiki', mw.ustring.lower(one_line(args.wiki)))
	local format = mw.ustring.lower(one_line(args.format))
	if format ~= '' and FORMAT_LABELS[format] == nil then
		table.insert(ignored, 'format')
	else
		set('format', format)
	end
	local campaign = one_line(mw.ustring.gsub(args.campaign or '', '_', ' '))
	set('campaign', mw.ustring.upper(mw.ustring.sub(campaign, 1, 1)) .. mw.ustring.sub(campaign, 2))
	for _, name in ipairs({ 'from', 'to' }) do
		local text = one_line(args[name])
		if text ~= '' and day_or_nil(text) == nil then
			table.insert(ignored, name)
		else
			set(name, text)
		end
	end
	local limit = one_line(args.limit)
	f.limit = DEFAULT_LIMIT
	if limit ~= '' then
		local number = mw.ustring.match(limit, '^%d+$') and tonumber(limit)
		if not number or number < 1 then
			table.insert(ignored, 'limit')
		else
			f.limit = math.min(number, MAX_LIMIT)
		end
	end
	return f, ignored
end

local function campaign_passes(f, title, campaign)
	if f.campaign ~= nil and f.campaign ~= title then
		local found = false
		for _, ancestor in ipairs(campaign.ancestors or {}) do
			if ancestor == f.campaign then
				found = true
				break
			end
		end
		if not found then
			return false
		end
	end
	if f.topic ~= nil then
		for _, topic in ipairs(campaign.topics or {}) do
			if mw.ustring.lower(topic) == f.topic then
				return true
			end
		end
		return false
	end
	return true
end

local function event_when(lang, start, finish, zone)
	local start_day, end_day = string.sub(start, 1, 10), string.sub(finish, 1, 10)
	local text
	if start_day == end_day then
		text = lang:formatDate('j F Y', start_day) .. ', ' .. string.sub(start, 12, 16)
			.. '–' .. string.sub(finish, 12, 16)
	else
		text = lang:formatDate('j F Y', start_day) .. ' ' .. string.sub(start, 12, 16) .. ' – '
			.. lang:formatDate('j F Y', end_day) .. ' ' .. string.sub(finish, 12, 16)
	end
	return text .. '<br /><small>' .. mw.text.nowiki(zone) .. '</small>'
end

local function wiki_link(id)
	local wiki = wikis.wikis[id]
	if wiki == nil then
		return mw.text.nowiki(id)
	end
	return '[' .. wiki.index .. ' ' .. id .. ']'
end

local function calendar_note(text)
	return '<div class="campaignkit-calendar-note" style="@@style:note@@">' .. text .. '</div>'
end

--- {{#invoke:Campaignkit|events_list|topic=…|country=…|…|limit=…}}: see above.
function p.events_list(frame)
	local data_title = wikis.calendar_data or ''
	if data_title == '' then
		return calendar_note(CALENDAR.no_data)
	end
	local ok, data = pcall(mw.loadJsonData, data_title)
	if not ok or type(data) ~= 'table' or data.columns == nil or data.events == nil then
		return calendar_note(CALENDAR.no_data)
	end
	local col = {}
	for index, name in ipairs(data.columns) do
		col[name] = index
	end
	local f, ignored = calendar_filters(frame.args)
	local now = os.date('!%Y-%m-%d %H:%M')
	local campaigns = data.campaigns or {}
	local countries = (data.names or {}).countries or {}
	local languages = (data.names or {}).languages or {}
	local passes = {}
	local lang = mw.getContentLanguage()
	local out, shown, more, month = {}, 0, false, nil
	for _, ev in ipairs(data.events) do
		local ok_event
		if f.from ~= nil then
			ok_event = string.sub(ev[col['end']], 1, 10) >= f.from
		else
			ok_event = ev[col.end_utc] >= now
		end
		ok_event = ok_event
			and (f.to == nil or string.sub(ev[col.start], 1, 10) <= f.to)
		if ok_event then
			for _, name in ipairs(EXACT_FILTERS) do
				if f[name] ~= nil and ev[col[name]] ~= f[name] then
					ok_event = false
					break
				end
			end
		end
		if ok_event then
			local title = ev[col.campaign]
			if passes[title] == nil then
				passes[title] = campaign_passes(f, title, campaigns[title] or {})
			end
			ok_event = passes[title]
		end
		if ok_event then
			if shown == f.limit then
				more = true
				break
			end
			shown = shown + 1
			local this_month = string.sub(ev[col.start], 1, 7)
			if this_month ~= month then
				month = this_month
				table.insert(out, '<tr><th colspan="8" scope="colgroup" style="text-align:start;">'
					.. lang:formatDate('F Y', month .. '-01') .. '</th></tr>')
			end
			local campaign = campaigns[ev[col.campaign]] or {}
			local place = mw.text.nowiki(ev[col.location])
			local country = ev[col.country]
			if country ~= '' then
				place = place .. (place ~= '' and ', ' or '') .. mw.text.nowiki(countries[country] or country)
			end
			local language = ev[col.language]
			local signup = CALENDAR.signup_closed
			if ev[col.signup] ~= 'closed' and ev[col.status] ~= 'ended' then
				signup = page_link(ev[col.event], CALENDAR.signup_open, ev[col.wiki])
			end
			table.insert(out, '<tr class="campaignkit-calendar-event">'
				.. '<td>' .. event_when(lang, ev[col.start], ev[col['end']], ev[col.timezone]) .. '</td>'
				.. '<td>' .. page_link(ev[col.event], mw.text.nowiki(ev[col.name]), ev[col.wiki]) .. '</td>'
				.. '<td>' .. page_link(ev[col.campaign], mw.text.nowiki(campaign.name or ev[col.campaign]), '') .. '</td>'
				.. '<td>' .. (FORMAT_LABELS[ev[col.format]] or mw.text.nowiki(ev[col.format])) .. '</td>'
				.. '<td>' .. place .. '</td>'
				.. '<td>' .. mw.text.nowiki(languages[language] or language) .. '</td>'
				.. '<td>' .. wiki_link(ev[col.wiki]) .. '</td>'
				.. '<td>' .. signup .. '</td></tr>')
		end
	end
	local result = ''
	if #ignored > 0 then
		result = calendar_note(CALENDAR.ignored .. ' ' .. table.concat(ignored, ', '))
	end
	if shown == 0 then
		return result .. calendar_note(CALENDAR.none)
	end
	result = result .. '<table class="wikitable campaignkit-calendar">'
		.. '<tr><th scope="col">' .. CALENDAR.when .. '</th><th scope="col">' .. CALENDAR.event
		.. '</th><th scope="col">' .. CALENDAR.campaign .. '</th><th scope="col">' .. CALENDAR.format
		.. '</th><th scope="col">' .. CALENDAR.place .. '</th><th scope="col">' .. CALENDAR.language
		.. '</th><th scope="col">' .. CALENDAR.wiki .. '</th><th scope="col">' .. CALENDAR.signup
		.. '</th></tr>' .. table.concat(out) .. '</table>'
	if more and data.calendar ~= nil then
		result = result .. '<p>' .. page_link(data.calendar, CALENDAR.more, '') .. '</p>'
	end
	return result
end

return p
