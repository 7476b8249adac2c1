import { html, type TemplateResult } from 'lit';
import type { Member } from '../types.js';

/** Only URLs that can be nothing but a picture: no `javascript:`, no other schemes. */
const SAFE_AVATAR = /^(https?:|\/|data:image\/(png|jpeg|gif|webp|avif);)/i;

/**
 * Twelve hues spread round the wheel, each dark enough for white initials at ≥ 4.5:1 (checked in
 * avatar.test.ts): hashing into a hand-picked palette keeps neighbours apart, where a raw
 * 0–359 hue often lands two people on near-identical blues.
 */
export const PALETTE = [
  '#b3261e',
  '#a3195b',
  '#7b1fa2',
  '#4527a0',
  '#1e57b8',
  '#00637a',
  '#00695c',
  '#2e7031',
  '#6b5d00',
  '#a34700',
  '#6d4c41',
  '#455a64',
];

/** Up to two initials from a display name (first letters of the first and last words). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => [...w][0]!.toLocaleUpperCase()).join('') || '?';
}

/** A stable colour for an id (FNV-1a), so a person keeps their colour across pages and visits. */
export function colorOf(id: string): string {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return PALETTE[(hash >>> 0) % PALETTE.length]!;
}

/**
 * A member's picture, or initials on a colour of their own, with the presence dot. Decorative
 * either way: the name is always right beside it, so screen readers skip it.
 */
export function renderAvatar(m: Member): TemplateResult {
  return html`<span class="av" aria-hidden="true"
    >${
      m.avatar && SAFE_AVATAR.test(m.avatar)
        ? html`<img part="avatar" class="avatar" src=${m.avatar} alt="" loading="lazy" />`
        : html`<span part="avatar" class="avatar" style="background:${colorOf(m.id)}"
            >${initials(m.name)}</span
          >`
    }<span class="dot"></span
  ></span>`;
}
