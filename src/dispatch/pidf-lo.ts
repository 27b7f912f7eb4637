// The caller's position as the network or handset sends it with the INVITE: a SIP Geolocation
// header (RFC 6442) pointing at a PIDF-LO document (RFC 4119, shapes from RFC 5491) carried in
// the body. Pure: the SIP layer hands in the header and body it received.
//
// Only the few elements we need are read, with patterns rather than an XML parser: the shapes
// are fixed by RFC 5491 and namespace prefixes vary between vendors, so prefixes are ignored.
import { LocationInvalid } from './errors';
import { checkLonLat } from './geo';
import type { CallerLocation } from './location';

/** EPSG 4326 is 2-D lat/lon, 4979 is 3-D lat/lon/height: GML puts latitude FIRST in both. */
const SUPPORTED_CRS = /EPSG::?(4326|4979)$/;
/** EPSG 9001 is the metre, the only unit RFC 5491 uses for distances. */
const METRE = /EPSG::?9001$/;

const element = (name: string) => new RegExp(`<([\\w.-]+:)?(${name})\\b([^>]*)>([\\s\\S]*?)</\\1?\\2\\s*>`);
const attribute = (attrs: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(attrs)?.[1];

/** One GML shape as read from a document, before its numbers are checked. */
interface Shape {
  kind: string;
  /** undefined: the sender left it out (4326 is then the only sane reading). */
  crs: string | undefined;
  pos: string;
  radius?: { value: string; metres: boolean };
}

/** The shape's centre and radius as a caller location; the checks shared by every source. */
function shapeToLocation(shape: Shape, what: string): CallerLocation {
  if (shape.crs !== undefined && !SUPPORTED_CRS.test(shape.crs)) throw new LocationInvalid(`${what}: coordinate system ${JSON.stringify(shape.crs)} is not supported (EPSG 4326 or 4979)`);
  const numbers = shape.pos.trim().split(/\s+/).map(Number);
  if (numbers.length < 2 || numbers.length > 3 || numbers.some((n) => !Number.isFinite(n))) throw new LocationInvalid(`${what}: pos ${JSON.stringify(shape.pos.trim().slice(0, 80))} is not "lat lon" or "lat lon height"`);
  const [lat, lon] = numbers as [number, number];
  const location: CallerLocation = { ...checkLonLat(lon, lat, `${what} pos (lat lon)`), source: 'sip-pidf' };
  if (shape.kind !== 'Point' && shape.radius) {
    const metres = Number(shape.radius.value);
    // A radius in another unit is left out rather than guessed: no accuracy beats a wrong one.
    if (shape.radius.metres && shape.radius.value.trim() !== '' && Number.isFinite(metres) && metres >= 0) location.accuracyM = metres;
  }
  return location;
}

/** Reads the first Point, Circle or Sphere of a PIDF-LO document. */
export function parsePidfLo(xml: string): CallerLocation {
  const doc = xml.replace(/<!--[\s\S]*?-->/g, '');
  const shape = element('Point|Circle|Sphere').exec(doc);
  if (!shape) {
    const other = /<([\w.-]+:)?(Polygon|Ellipse|ArcBand|Prism|Ellipsoid)\b/.exec(doc)?.[2];
    if (other) throw new LocationInvalid(`PIDF-LO: shape ${other} is not supported (Point, Circle or Sphere)`);
    if (/<([\w.-]+:)?civicAddress\b/.test(doc)) throw new LocationInvalid('PIDF-LO: only a civic address, no coordinates');
    throw new LocationInvalid('PIDF-LO: no Point, Circle or Sphere found');
  }
  const [, , kind, attrs, inner] = shape as unknown as [string, string, string, string, string];
  const pos = element('pos').exec(inner)?.[4];
  if (pos === undefined) throw new LocationInvalid(`PIDF-LO: ${kind} has no pos`);
  const radius = element('radius').exec(inner);
  return shapeToLocation(
    { kind, crs: attribute(attrs, 'srsName'), pos, radius: radius ? { value: radius[4] ?? '', metres: METRE.test(attribute(radius[3] ?? '', 'uom') ?? '') } : undefined },
    'PIDF-LO',
  );
}

/**
 * The same PIDF-LO as Asterisk's res_geolocation hands it to the dialplan once it has parsed the
 * INVITE: GEOLOC_PROFILE(format) is "GML" and GEOLOC_PROFILE(location_info) reads
 * `shape="Circle",crs="2d",pos="39.9052 116.3851",radius="35"`. Asterisk has already turned
 * srsName into crs 2d (EPSG 4326) or 3d (4979) and kept no unit: RFC 5491 lengths are metres.
 */
export function parseAsteriskGml(format: string, info: string): CallerLocation {
  if (format.toUpperCase() !== 'GML') throw new LocationInvalid(`Asterisk geolocation: format ${JSON.stringify(format.slice(0, 40))} has no coordinates (GML needed)`);
  const fields = new Map([...info.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|([^,]*))/g)].map((m) => [m[1]!.toLowerCase(), (m[2] ?? m[3] ?? '').trim()]));
  const kind = fields.get('shape') ?? '';
  if (!/^(Point|Circle|Sphere)$/.test(kind)) throw new LocationInvalid(`Asterisk geolocation: shape ${JSON.stringify(kind.slice(0, 40))} is not supported (Point, Circle or Sphere)`);
  const pos = fields.get('pos');
  if (pos === undefined) throw new LocationInvalid(`Asterisk geolocation: ${kind} has no pos`);
  const crs = { '2d': 'EPSG::4326', '3d': 'EPSG::4979' }[fields.get('crs') ?? '2d'] ?? fields.get('crs');
  const radius = fields.get('radius');
  return shapeToLocation({ kind, crs, pos, radius: radius === undefined ? undefined : { value: radius, metres: true } }, 'Asterisk geolocation');
}

/** The URIs of a Geolocation header value: `<cid:abc@host>, <https://...>;inserted-by=...`. */
export function parseGeolocationHeader(value: string): string[] {
  return [...value.matchAll(/<([^>]+)>/g)].map((m) => m[1]!.trim());
}

interface Part {
  contentType: string;
  contentId: string | undefined;
  body: string;
}

function multipartParts(body: string, contentType: string): Part[] {
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new LocationInvalid('multipart body without a boundary');
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const parts: Part[] = [];
  for (const chunk of body.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break; // the closing delimiter
    const [head, ...rest] = chunk.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    const header = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*?)\\s*$`, 'im').exec(head ?? '')?.[1];
    parts.push({ contentType: header('Content-Type') ?? 'text/plain', contentId: header('Content-ID')?.replace(/^<|>$/g, ''), body: rest.join('\n\n') });
  }
  return parts;
}

/**
 * The caller's location from an INVITE: the Geolocation header says where the PIDF-LO is (a
 * body part by Content-ID, or a URL to fetch). Without a header, a PIDF-LO body is used as is.
 */
export function locationFromSip(sip: { geolocation?: string; contentType?: string; body?: string }): CallerLocation {
  const refs = sip.geolocation ? parseGeolocationHeader(sip.geolocation) : [];
  const cids = refs.filter((r) => r.toLowerCase().startsWith('cid:')).map((r) => r.slice(4));
  const type = (sip.contentType ?? '').toLowerCase();
  const parts: Part[] = type.startsWith('multipart/')
    ? multipartParts(sip.body ?? '', sip.contentType ?? '')
    : [{ contentType: type, contentId: undefined, body: sip.body ?? '' }];
  const pidf = parts.filter((p) => p.contentType.toLowerCase().startsWith('application/pidf+xml'));
  const byCid = pidf.find((p) => p.contentId !== undefined && cids.includes(p.contentId));
  // A lone PIDF-LO body has no Content-ID to match: it is the one the header means.
  const chosen = byCid ?? (cids.length === 0 || !type.startsWith('multipart/') ? pidf[0] : undefined);
  if (chosen) return parsePidfLo(chosen.body);
  if (refs.length > 0 && cids.length === 0) throw new LocationInvalid(`location by reference (${refs[0]}) must be fetched first; no PIDF-LO in the body`);
  throw new LocationInvalid(cids.length > 0 ? `Geolocation names ${cids.map((c) => `cid:${c}`).join(', ')} but no such PIDF-LO part is in the body` : 'no PIDF-LO in the body');
}
