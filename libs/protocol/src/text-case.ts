/**
 * `text.toLowerCase()`, but the string itself when it has no capital and is
 * all ASCII (nothing to lower): V8 copies every string it lowers, changed or
 * not.
 *
 * Why: every name of a batch is lowered several times on its way (the
 * domain scope, the zone lookup, the plugin's check), and the names
 * ExternalDNS sends are nearly always lower case already: for the 10k
 * creates of a PowerDNS batch, 20-30k copies of 40 bytes made while the
 * batch is live, about 1.2 MB of the young generation (heap sampling of
 * the in-process apply path; 11.8 -> 10.1 MB allocated per POST with the
 * plugin's own lowering and upper-casing through these). Time: see
 * PipelineRun.planRun, measured together.
 */
export function lowerCased(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if ((unit >= 0x41 && unit <= 0x5a) || unit > 0x7f) return text.toLowerCase();
  }
  return text;
}

/** `text.toUpperCase()`, but the string itself when it has no small letter and is all ASCII (see lowerCased). */
export function upperCased(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if ((unit >= 0x61 && unit <= 0x7a) || unit > 0x7f) return text.toUpperCase();
  }
  return text;
}
