// Picking an event's coordinates on a map: an optional help next to the coordinates field.
// The form works without it (type "6.5095, 3.3711"); with JavaScript, a button loads
// Leaflet (served by this tool, only when asked for) and a click on the map, or the
// "use the centre" button after panning with the arrow keys, fills the field.
(function () {
  'use strict';
  var box = document.getElementById('pick-map');
  var input = document.getElementById('coordinates');
  if (!box || !input) { return; }
  var open = box.querySelector('[data-action=open]');
  var centre = box.querySelector('[data-action=centre]');
  var area = box.querySelector('.map');
  box.hidden = false;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (k) { element.setAttribute(k, attributes[k]); });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function current() {
    var match = /^\s*([+-]?\d+(?:\.\d+)?)\s*[,; ]\s*([+-]?\d+(?:\.\d+)?)\s*$/.exec(input.value);
    return match ? [parseFloat(match[1]), parseFloat(match[2])] : null;
  }

  var map = null;
  var marker = null;
  function put(latlng) {
    input.value = latlng.lat.toFixed(5) + ', ' + latlng.lng.toFixed(5);
    if (marker) { marker.setLatLng(latlng); } else { marker = window.L.marker(latlng).addTo(map); }
    input.dispatchEvent(new Event('change'));
  }

  open.addEventListener('click', function () {
    open.disabled = true;
    load('link', { rel: 'stylesheet', href: box.getAttribute('data-css') })
      .then(function () { return load('script', { src: box.getAttribute('data-js') }); })
      .then(function () {
        area.hidden = false;
        centre.hidden = false;
        var start = current();
        map = window.L.map(area).setView(start || [0, 0], start ? 12 : 2);
        window.L.tileLayer(box.getAttribute('data-tiles'), {
          maxZoom: 18, attribution: box.getAttribute('data-attribution') || ''
        }).addTo(map);
        if (start) { marker = window.L.marker(start).addTo(map); }
        map.on('click', function (event) { put(event.latlng); });
        box.setAttribute('data-ready', 'yes');
      })
      .catch(function () { open.disabled = false; box.setAttribute('data-ready', 'error'); });
  });
  centre.addEventListener('click', function () { if (map) { put(map.getCenter()); } });
}());
