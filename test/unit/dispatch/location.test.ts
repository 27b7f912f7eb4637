import t from 'tap';
import { manualLocation, PoleRegister } from '../../../src/dispatch/location';
import { locationFromSip, parseGeolocationHeader, parsePidfLo } from '../../../src/dispatch/pidf-lo';

// RFC 4119 / RFC 5491 shape, as a handset or the network sends it.
const pidf = (shape: string) => `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"
  xmlns:gml="http://www.opengis.net/gml" xmlns:gs="http://www.opengis.net/pidflo/1.0" entity="pres:caller@example.com">
  <tuple id="t1"><status><gp:geopriv><gp:location-info>
    ${shape}
  </gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple>
</presence>`;
const POINT = pidf('<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>39.9052 116.3851</gml:pos></gml:Point>');
const CIRCLE = pidf(`<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326">
      <gml:pos>39.9071 116.3948</gml:pos>
      <gs:radius uom="urn:ogc:def:uom:EPSG::9001">850.24</gs:radius>
    </gs:Circle>`);

t.test('PIDF-LO: GML gives "lat lon"; we give lon, lat', async (t) => {
  t.same(parsePidfLo(POINT), { lon: 116.3851, lat: 39.9052, source: 'sip-pidf' });
  t.same(parsePidfLo(CIRCLE), { lon: 116.3948, lat: 39.9071, source: 'sip-pidf', accuracyM: 850.24 }, 'a circle: its radius is the accuracy');
  t.same(parsePidfLo(pidf('<Point srsName="urn:ogc:def:crs:EPSG::4979"><pos>39.9 116.4 44.5</pos></Point>')), { lon: 116.4, lat: 39.9, source: 'sip-pidf' }, 'no prefix, 3-D: height ignored');
  t.same(parsePidfLo(pidf('<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>39.9 116.4</gml:pos><gs:radius uom="urn:ogc:def:uom:EPSG::9002">30</gs:radius></gs:Circle>')), { lon: 116.4, lat: 39.9, source: 'sip-pidf' }, 'a radius in feet is left out, not guessed');
  t.same(parsePidfLo(`<!-- <gml:Point><gml:pos>1 2</gml:pos></gml:Point> -->${POINT}`).lat, 39.9052, 'comments are not read');
});

t.test('PIDF-LO that cannot be used says why', async (t) => {
  const bad = (xml: string, message: RegExp) => t.throws(() => parsePidfLo(xml), { code: 'LOCATION_INVALID', message });
  bad(pidf('<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>139.9 116.4</gml:pos></gml:Point>'), /latitude must be within -90..90, got 139.9/);
  bad(pidf('<gml:Point srsName="urn:ogc:def:crs:EPSG::3857"><gml:pos>4852834 12958175</gml:pos></gml:Point>'), /coordinate system "urn:ogc:def:crs:EPSG::3857" is not supported/);
  bad(pidf('<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>39.9</gml:pos></gml:Point>'), /pos "39.9" is not "lat lon"/);
  bad(pidf('<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"></gml:Point>'), /Point has no pos/);
  bad(pidf('<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior/></gml:Polygon>'), /shape Polygon is not supported/);
  bad(pidf('<ca:civicAddress xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"><ca:A1>BJ</ca:A1></ca:civicAddress>'), /only a civic address/);
  bad('not xml', /no Point, Circle or Sphere/);
});

t.test('from an INVITE: the Geolocation header names the body part', async (t) => {
  t.same(parseGeolocationHeader('<cid:target123@example.com>, <https://lis.example.com/loc/1>;inserted-by=lis'), ['cid:target123@example.com', 'https://lis.example.com/loc/1']);
  const body = ['--XyZ', 'Content-Type: application/sdp', '', 'v=0', '--XyZ', 'Content-Type: application/pidf+xml', 'Content-ID: <other@example.com>', '', pidf('<gml:Point><gml:pos>1 2</gml:pos></gml:Point>'), '--XyZ', 'Content-Type: application/pidf+xml', 'Content-ID: <target123@example.com>', '', CIRCLE, '--XyZ--', ''].join('\r\n');
  const multipart = { geolocation: '<cid:target123@example.com>', contentType: 'multipart/mixed; boundary="XyZ"', body };
  t.same(locationFromSip(multipart), { lon: 116.3948, lat: 39.9071, source: 'sip-pidf', accuracyM: 850.24 });
  t.same(locationFromSip({ contentType: 'application/pidf+xml', body: POINT }).lon, 116.3851, 'a lone PIDF-LO body, no header');
  t.throws(() => locationFromSip({ ...multipart, geolocation: '<cid:missing@example.com>' }), { code: 'LOCATION_INVALID', message: /names cid:missing@example.com but no such PIDF-LO part/ });
  t.throws(() => locationFromSip({ geolocation: '<https://lis.example.com/loc/1>', contentType: 'application/sdp', body: 'v=0' }), { message: /location by reference \(https:\/\/lis.example.com\/loc\/1\) must be fetched first/ });
  t.throws(() => locationFromSip({ contentType: 'multipart/mixed', body }), { message: /multipart body without a boundary/ });
});

t.test('street-light pole codes', async (t) => {
  const poles = PoleRegister.parse({ 'BJ-DC-0001': [116.3851, 39.9052] }, 'config/grid/poles.json');
  t.same(poles.locate('BJ-DC-0001'), { lon: 116.3851, lat: 39.9052, source: 'pole', pole: 'BJ-DC-0001' });
  t.equal(poles.locate(' bj dc 0001 ').pole, 'BJ-DC-0001', 'typed as heard: case and spaces do not matter');
  t.throws(() => poles.locate('BJ-DC-9999'), { code: 'POLE_NOT_FOUND', message: 'no street-light pole "BJ-DC-9999" in the pole register' });
  // [lat, lon] by mistake: around Beijing the "latitude" then lands out of range.
  t.throws(() => PoleRegister.parse({ 'BJ-DC-0002': [39.9, 116.4] }, 'config/grid/poles.json'), { code: 'CONFIG_INVALID', message: 'poles: pole "BJ-DC-0002" in config/grid/poles.json: latitude must be within -90..90, got 116.4' });
  t.throws(() => PoleRegister.parse({ 'bj dc': [116.4, 39.9] }, 'p.json'), { message: /pole "bj dc" in p.json: a code is/ });
  t.throws(() => PoleRegister.parse([], 'p.json'), { message: /p.json: expected a JSON object/ });
});

t.test('coordinates a call-taker types', async (t) => {
  t.same(manualLocation(116.4, 39.9), { lon: 116.4, lat: 39.9, source: 'manual' });
  t.throws(() => manualLocation(116.4, 91), { code: 'LOCATION_INVALID', message: 'entered location: latitude must be within -90..90, got 91' });
  t.throws(() => manualLocation(Number.NaN, 39.9), { message: /longitude must be a number/ });
});
