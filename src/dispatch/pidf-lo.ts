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
  const crs = attribute(attrs, 'srsName');
  // RFC 5491 requires srsName; when a sender leaves it out, 4326 is the only sane reading.
  if (crs !== undefined && !SUPPORTED_CRS.test(crs)) throw new LocationInvalid(`PIDF-LO: coordinate system ${JSON.stringify(crs)} is not supported (EPSG 4326 or 4979)`);
  const pos = element('pos').exec(inner)?.[4];
  if (pos === undefined) throw new LocationInvalid(`PIDF-LO: ${kind} has no pos`);
  const numbers = pos.trim().split(/\s+/).map(Number);
  if (numbers.length < 2 || numbers.length > 3 || numbers.some((n) => !Number.isFinite(n))) throw new LocationInvalid(`PIDF-LO: pos ${JSON.stringify(pos.trim())} is not "lat lon" or "lat lon height"`);
  const [lat, lon] = numbers as [number, number];
  const location: CallerLocation = { ...checkLonLat(lon, lat, 'PIDF-LO pos (lat lon)'), source: 'sip-pidf' };
  if (kind !== 'Point') {
    const radius = element('radius').exec(inner);
    const metres = Number(radius?.[4]);
    // A radius in another unit is left out rather than guessed: no accuracy beats a wrong one.
    if (radius && METRE.test(attribute(radius[3] ?? '', 'uom') ?? '') && Number.isFinite(metres) && metres >= 0) location.accuracyM = metres;
  }
  return location;
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
