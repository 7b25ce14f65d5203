// Issue and comment text is written by anyone who can comment, so it reaches the model only
// inside markers carrying a random nonce: text in the thread cannot forge the closing marker.
import { randomBytes } from 'node:crypto';

export function fenceUntrusted(label: string, content: string, nonce: string = randomBytes(8).toString('hex')): string {
  const open = `<<<UNTRUSTED-DATA ${label} nonce=${nonce}>>>`;
  const close = `<<<END-UNTRUSTED-DATA nonce=${nonce}>>>`;
  // Belt and braces: a guessed nonce still cannot close the fence early.
  const safe = content.replaceAll(nonce, '[nonce]');
  return `${open}\n${safe}\n${close}`;
}

/** Keeps the head and tail of an over-long text, with a marker saying how much was cut. */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const marker = `\n… [${(text.length - maxChars).toLocaleString('en-US')} characters omitted] …\n`;
  // A budget smaller than the marker gets a bare cut: the result must never exceed maxChars.
  if (marker.length >= maxChars) return text.slice(0, maxChars);
  const keep = maxChars - marker.length;
  const head = Math.ceil(keep * 0.6);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}
