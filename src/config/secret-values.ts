/**
 * Telling a secret VALUE from the NAME of a Worker secret, so config errors can say what is wrong
 * without ever printing key material (issue 12 item 9).
 */

/** Prefixes of well-known key formats (Standard Webhooks, Stripe, GitHub, Slack, Shopify, AWS, GitLab, PEM, auth schemes). */
const KEY_PREFIXES = /^(whsec_|whsk_|whpk_|sk_|rk_|pk_live_|pk_test_|ghp_|gho_|ghs_|ghu_|github_pat_|xox[abposr]-|shpss_|shpat_|AKIA|ASIA|glpat-|-----BEGIN|Bearer\s|Basic\s)/;

/** Character class of one character: lower, upper, digit, or other. */
const classOf = (c: string) => (c >= "a" && c <= "z" ? 0 : c >= "A" && c <= "Z" ? 1 : c >= "0" && c <= "9" ? 2 : 3);

/** Random keys switch between lower case, upper case and digits about every other character; names rarely do. */
function looksRandom(part: string): boolean {
  if (part.length < 16) return false;
  let changes = 0;
  const classes = new Set<number>();
  for (let i = 0; i < part.length; i++) {
    const c = classOf(part[i]!);
    classes.add(c);
    if (i > 0 && c !== classOf(part[i - 1]!)) changes++;
  }
  return classes.size >= 2 && changes / (part.length - 1) >= 0.3;
}

/**
 * Does this text look like key material rather than a secret's name (a known key prefix, a random-looking
 * run of 16+ characters, or base64 padding / `+` / `/` in 24+ characters)?
 * @example looksLikeSecretValue("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") // true
 */
export function looksLikeSecretValue(text: string): boolean {
  if (KEY_PREFIXES.test(text)) return true;
  if (text.length >= 24 && /[+/]|=$/.test(text)) return true;
  return text.split(/[_\-.:/+=]+/).some(looksRandom);
}

/**
 * Replace every word of a message that looks like key material with `<value not shown>`: a last guard
 * before config problems are logged, whatever zod or JSON.parse put in them.
 * @example redactSecretValues('Unrecognized key: "sk_live_x1"') // 'Unrecognized key: "<value not shown>"'
 */
export function redactSecretValues(message: string): string {
  return message.replace(/[A-Za-z0-9_+/=-]{8,}/g, (word) => (looksLikeSecretValue(word) ? "<value not shown>" : word));
}
