import t from 'tap';
import { parseRange } from '../../../src/http/routes/recordings';

t.test('parseRange: one bytes= range per RFC 9110; anything else means the whole file', async (t) => {
  const full = { kind: 'full' };
  const none = { kind: 'unsatisfiable' };
  const part = (start: number, end: number) => ({ kind: 'partial', start, end });
  const cases: [string | undefined, number, unknown][] = [
    [undefined, 1000, full],
    ['bytes=0-0', 1000, part(0, 0)],
    ['bytes=100-199', 1000, part(100, 199)],
    ['BYTES=100-199', 1000, part(100, 199)],
    ['bytes=900-5000', 1000, part(900, 999)],
    ['bytes=999-', 1000, part(999, 999)],
    ['bytes=-1', 1000, part(999, 999)],
    ['bytes=-5000', 1000, part(0, 999)],
    ['bytes=99999999999999999999999-', 1000, none],
    ['bytes=1000-', 1000, none],
    ['bytes=1000-1001', 1000, none],
    ['bytes=-0', 1000, none],
    ['bytes=0-', 0, none],
    ['bytes=-10', 0, none],
    ['bytes=5-3', 1000, full],
    ['bytes=-', 1000, full],
    ['bytes=0-1,3-4', 1000, full],
    ['bytes=a-b', 1000, full],
    ['bytes 0-1', 1000, full],
    ['items=0-1', 1000, full],
    ['', 1000, full],
  ];
  for (const [header, size, want] of cases) t.same(parseRange(header, size), want, `${header} of ${size}`);
});
