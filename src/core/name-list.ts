/**
 * Lists of names as people write them in settings, headers, flags and token claims:
 * comma-separated, spaces around the names ignored, empty entries dropped.
 */

/** The names in `text`; several texts (a repeated header) are read as one list. */
export function nameList(text: string | readonly string[]): string[] {
  return (typeof text === 'string' ? text : text.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
