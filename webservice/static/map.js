// The campaign map: Leaflet (served by this tool) with the events' GeoJSON.
// Popups are built with textContent, never innerHTML: event names come from wikis.
(function () {
  'use strict';
  var element = document.getElementById('map');
  if (!element || !window.L) { return; }
  var map = L.map(element, { scrollWheelZoom: false }).setView([0, 0], 2);
  var tiles = element.getAttribute('data-tiles');
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: element.getAttribute('data-attribution') || '' }).addTo(map);
  }
  fetch(element.getAttribute('data-geojson'), { credentials: 'same-origin' })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        onEachFeature: function (feature, marker) {
          var p = feature.properties || {};
          var box = document.createElement('div');
          var name = document.createElement('strong');
          name.textContent = p.name || p.event || '';
          box.appendChild(name);
          var when = document.createElement('div');
          when.textContent = (p.start || '') + ' – ' + (p.end || '') + ' ' + (p.timezone || '');
          box.appendChild(when);
          if (p.location) {
            var where = document.createElement('div');
            where.textContent = p.location;
            box.appendChild(where);
          }
          marker.bindPopup(box);
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 10, padding: [20, 20] }); }
      element.setAttribute('data-markers', String(layer.getLayers().length));
    })
    .catch(function () { element.setAttribute('data-markers', 'error'); });
}());
