import { DateTime, IANAZone } from "luxon";

const DAY = 24 * 3600_000;
const MINUTE = 60_000;

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, "0")}${String(m % 60).padStart(2, "0")}`;
}

/** The instant (to the minute) in (loMs, hiMs] where the zone's offset changes. */
function transitionBetween(zone: IANAZone, loMs: number, hiMs: number): number {
  const before = zone.offset(loMs);
  while (hiMs - loMs > MINUTE) {
    const mid = loMs + Math.floor((hiMs - loMs) / 2 / MINUTE) * MINUTE;
    if (zone.offset(mid) === before) loMs = mid;
    else hiMs = mid;
  }
  return hiMs;
}

/**
 * A VTIMEZONE for an IANA zone, built from luxon's own rules: one observance per offset
 * change between `fromMs` and `toMs` (no RRULEs to get wrong), plus the offset in force at
 * `fromMs`. Calendar apps that ignore the IANA name in TZID still place times right.
 */
export function vtimezone(name: string, fromMs: number, toMs: number): string | null {
  const zone = IANAZone.create(name);
  if (!zone.isValid) return null;
  const lines = ["BEGIN:VTIMEZONE", `TZID:${name}`];
  const observance = (atMs: number, fromOffset: number, toOffset: number) => {
    const dst = DateTime.fromMillis(atMs, { zone: name }).isInDST;
    const kind = dst ? "DAYLIGHT" : "STANDARD";
    // DTSTART is the local time just before the change, in the offset that was in force.
    const local = DateTime.fromMillis(atMs, { zone: "UTC" }).plus({ minutes: fromOffset });
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${local.toFormat("yyyyMMdd'T'HHmmss")}`,
      `TZOFFSETFROM:${offsetText(fromOffset)}`,
      `TZOFFSETTO:${offsetText(toOffset)}`,
      `TZNAME:${zone.offsetName(atMs, { format: "short" }) ?? offsetText(toOffset)}`,
      `END:${kind}`,
    );
  };
  const first = zone.offset(fromMs);
  observance(fromMs, first, first);
  for (let t = fromMs; t < toMs; t += DAY) {
    if (zone.offset(t + DAY) !== zone.offset(t)) {
      const at = transitionBetween(zone, t, t + DAY);
      observance(at, zone.offset(at - MINUTE), zone.offset(at));
    }
  }
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n") + "\r\n";
}
