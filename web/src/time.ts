/** Rwanda has one time zone and no daylight saving; dates are shown and filtered in it. */
export const timeZone = 'Africa/Kigali';
export const timeZoneOffset = '+02:00';
export const timeZoneOffsetMs = 2 * 3600 * 1000;
