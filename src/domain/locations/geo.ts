// Geographic search: parsing the query forms and the bounding box that prefilters a radius search.

export const EARTH_RADIUS_M = 6_371_008.8;
const M_PER_DEGREE_LAT = (Math.PI * EARTH_RADIUS_M) / 180;

export interface Point { lat: number; lon: number }
export interface BBox { minLat: number; minLon: number; maxLat: number; maxLon: number }

const inLat = (v: number): boolean => Number.isFinite(v) && v >= -90 && v <= 90;
const inLon = (v: number): boolean => Number.isFinite(v) && v >= -180 && v <= 180;
const numbers = (s: string, n: number): number[] | undefined => {
  const parts = s.split(',');
  if (parts.length !== n || parts.some((p) => p.trim() === '')) return undefined;
  return parts.map(Number);
};

/** "lat,lon" → a point; undefined when malformed or out of range. */
export function parsePoint(s: string): Point | undefined {
  const v = numbers(s, 2);
  if (!v || !inLat(v[0]!) || !inLon(v[1]!)) return undefined;
  return { lat: v[0]!, lon: v[1]! };
}

/** "minLat,minLon,maxLat,maxLon"; minLon > maxLon is a box across the antimeridian. */
export function parseBBox(s: string): BBox | undefined {
  const v = numbers(s, 4);
  if (!v) return undefined;
  const [minLat, minLon, maxLat, maxLon] = v as [number, number, number, number];
  if (!inLat(minLat) || !inLat(maxLat) || !inLon(minLon) || !inLon(maxLon) || minLat > maxLat) return undefined;
  return { minLat, minLon, maxLat, maxLon };
}

/** Great-circle distance in metres (haversine); the SQL search uses the same formula. */
export function haversineM(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A box holding every point within `radiusM` of `c`, so the index narrows the rows the exact
 * haversine is computed for. Near a pole or when the box would wrap, longitude is left open.
 */
export function boundingBox(c: Point, radiusM: number): BBox {
  const dLat = radiusM / M_PER_DEGREE_LAT;
  const minLat = Math.max(-90, c.lat - dLat);
  const maxLat = Math.min(90, c.lat + dLat);
  const cosLat = Math.cos((Math.max(Math.abs(minLat), Math.abs(maxLat)) * Math.PI) / 180);
  const dLon = cosLat > 1e-9 ? dLat / cosLat : 360;
  if (dLon >= 180 || c.lon - dLon < -180 || c.lon + dLon > 180) return { minLat, maxLat, minLon: -180, maxLon: 180 };
  return { minLat, maxLat, minLon: c.lon - dLon, maxLon: c.lon + dLon };
}
