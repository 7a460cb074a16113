// Chat Markdown, rendered to Preact nodes: text always stays text (no HTML
// string is ever parsed), and links go only to http, https and mailto. What
// it knows: paragraphs and line breaks, **bold**, *italic* and _italic_,
// ~~strike~~, `code`, ``` blocks ```, > quotes, - and 1. lists, [text](url),
// bare URLs and @mentions.

import type { ComponentChildren, VNode } from 'preact';
import { formatDateTime } from '../i18n';

export interface MarkdownContext {
  /** The reader's login name: their mentions stand out. */
  me: string;
}

export function Markdown({ text, context }: { text: string; context: MarkdownContext }): VNode {
  return <div class="md">{blocks(text, context)}</div>;
}

function blocks(text: string, context: MarkdownContext): VNode[] {
  const lines = text.split('\n');
  const out: VNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trimStart().startsWith('```')) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith('```')) code.push(lines[i++]);
      i++;
      out.push(
        <pre key={out.length}>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i])) quoted.push(lines[i++].replace(/^>\s?/, ''));
      out.push(<blockquote key={out.length}>{blocks(quoted.join('\n'), context)}</blockquote>);
      continue;
    }
    const bullet = /^\s*[-*•]\s+/;
    const numbered = /^\s*\d+[.)]\s+/;
    if (bullet.test(line) || numbered.test(line)) {
      const pattern = bullet.test(line) ? bullet : numbered;
      const items: string[] = [];
      while (i < lines.length && pattern.test(lines[i])) items.push(lines[i++].replace(pattern, ''));
      const children = items.map((item, n) => <li key={n}>{inline(item, context)}</li>);
      out.push(pattern === bullet ? <ul key={out.length}>{children}</ul> : <ol key={out.length}>{children}</ol>);
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const paragraph: string[] = [];
    while (
      i < lines.length &&
      lines[i].trim() !== '' &&
      !lines[i].trimStart().startsWith('```') &&
      !/^>\s?/.test(lines[i]) &&
      !bullet.test(lines[i]) &&
      !numbered.test(lines[i])
    ) {
      paragraph.push(lines[i++]);
    }
    const parts: ComponentChildren[] = [];
    paragraph.forEach((text, n) => {
      if (n > 0) parts.push(<br key={`br${n}`} />);
      parts.push(...inline(text, context));
    });
    out.push(<p key={out.length}>{parts}</p>);
  }
  return out;
}

/** Inline spans, earliest match first; what matches nothing is plain text. */
const INLINE = [
  { kind: 'code', re: /`([^`\n]+)`/ },
  { kind: 'link', re: /\[([^\]\n]+)\]\(([^)\s]+)\)/ },
  { kind: 'url', re: /\bhttps?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/ },
  { kind: 'bold', re: /\*\*([^*\n]+)\*\*/ },
  { kind: 'strike', re: /~~([^~\n]+)~~/ },
  { kind: 'italic', re: /(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])/ },
  { kind: 'mention', re: /(?<![\w@])@([a-z0-9][a-z0-9._-]*[a-z0-9])/i },
  // `2027-01-12 10:30 UTC` (as meeting invitations write it): shown in the
  // reader's own time zone and language.
  { kind: 'time', re: /\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC\b/ },
] as const;

function inline(text: string, context: MarkdownContext): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let rest = text;
  while (rest) {
    let best: { kind: string; match: RegExpExecArray } | null = null;
    for (const { kind, re } of INLINE) {
      const match = re.exec(rest);
      if (match && (!best || match.index < best.match.index)) best = { kind, match };
    }
    if (!best) {
      out.push(rest);
      break;
    }
    const { kind, match } = best;
    if (match.index > 0) out.push(rest.slice(0, match.index));
    const key = out.length;
    switch (kind) {
      case 'code':
        out.push(<code key={key}>{match[1]}</code>);
        break;
      case 'link': {
        const href = safeHref(match[2]);
        out.push(
          href ? (
            <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
              {inline(match[1], context)}
            </a>
          ) : (
            match[0]
          ),
        );
        break;
      }
      case 'url':
        out.push(
          <a key={key} href={match[0]} target="_blank" rel="noopener noreferrer nofollow">
            {match[0]}
          </a>,
        );
        break;
      case 'bold':
        out.push(<strong key={key}>{inline(match[1], context)}</strong>);
        break;
      case 'strike':
        out.push(<s key={key}>{inline(match[1], context)}</s>);
        break;
      case 'italic':
        out.push(<em key={key}>{inline(match[1], context)}</em>);
        break;
      case 'time': {
        const iso = `${match[1]}T${match[2]}:00Z`;
        out.push(
          Number.isNaN(Date.parse(iso)) ? (
            match[0]
          ) : (
            <time key={key} dateTime={iso} title={match[0]}>
              {formatDateTime(iso)}
            </time>
          ),
        );
        break;
      }
      case 'mention': {
        const name = match[1].toLowerCase();
        const mine = name === context.me || ['channel', 'here', 'everyone'].includes(name);
        out.push(
          <span key={key} class={`mention ${mine ? 'mention-me' : ''}`}>
            @{match[1]}
          </span>,
        );
        break;
      }
    }
    rest = rest.slice(match.index + match[0].length);
  }
  return out;
}

function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Whether a text mentions this person (by name or @channel, @here, @everyone). */
export function mentions(text: string, me: string): boolean {
  const re = /(?<![\w@])@([a-z0-9][a-z0-9._-]*[a-z0-9])/gi;
  for (const match of text.matchAll(re)) {
    const name = match[1].toLowerCase();
    if (name === me || name === 'channel' || name === 'here' || name === 'everyone') return true;
  }
  return false;
}
