// Number, date and instant formats of the console (vi-VN), and the time-zone arithmetic
// of deadlines (a local date in the province's zone, open until its end). Words come from
// i18n.js; these only shape values.
import { t } from "./i18n.js";

const numberFormats = new Map();
function nf(options) {
  const key = JSON.stringify(options);
  if (!numberFormats.has(key)) numberFormats.set(key, new Intl.NumberFormat("vi-VN", options));
  return numberFormats.get(key);
}

export function fmtNumber(value, digits = 0) {
  if (value === null || value === undefined) return "—";
  return nf({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** 0.953 → "95,3%"; null → "—". */
export function fmtPercent(rate, digits = 1) {
  if (rate === null || rate === undefined) return "—";
  return `${fmtNumber(rate * 100, digits)}%`;
}

/** A local date "2025-07-15" → "15/07/2025" (no time-zone shift: it is a calendar date). */
export function fmtDate(iso) {
  if (!iso) return "—";
  const [y, m, d] = String(iso).slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

const dateTimeFormat = new Intl.DateTimeFormat("vi-VN", {
  day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  hour12: false,
});

/** An instant → "dd/mm/yyyy HH:MM" in the browser's time zone. */
export function fmtDateTime(value) {
  if (!value) return "—";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

export function fmtBytes(size) {
  if (size < 1024) return `${fmtNumber(size)} B`;
  if (size < 1024 * 1024) return `${fmtNumber(size / 1024, 1)} KB`;
  return `${fmtNumber(size / 1024 / 1024, 1)} MB`;
}

function zoneOffsetMs(instantMs, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return asUtc - instantMs;
}

/**
 * A deadline is a local date D in the province's time zone (config.json `time_zone`, the
 * server's CAMPAIGN_TIMEZONE), open until the end of D: the first refused instant is 00:00
 * of D+1 there (DOMAIN.md). Returns that instant.
 */
export function deadlineInstant(dateIso, timeZone) {
  const [y, m, d] = dateIso.split("-").map(Number);
  const wall = Date.UTC(y, m - 1, d + 1, 0, 0, 0);
  let instant = wall - zoneOffsetMs(wall, timeZone);
  instant = wall - zoneOffsetMs(instant, timeZone); // settle across an offset change
  return new Date(instant);
}

export function fmtTimeLeft(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return t("left_days", { d: days, h: hours });
  if (hours > 0) return t("left_hours", { h: hours, m: minutes % 60 });
  return t("left_minutes", { m: minutes });
}
