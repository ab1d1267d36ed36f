// Markdown for notes, rendered safely: the text becomes Preact elements and
// text nodes, never HTML, so nothing typed into a note (a <script>, an
// onerror attribute, a javascript: link) can run. The subset is what notes
// use: paragraphs and line breaks, headings (#, ##, ###), bulleted and
// numbered lists, **bold**, *italic* or _italic_, `code`, and links
// [text](url) to http, https and mailto addresses only; anything else is
// shown as the text it is.
import type { ComponentChildren, VNode } from 'preact';

const SAFE_URL = /^(https?:\/\/|mailto:)[^\s]+$/i;

/** Inline markup of one line or paragraph. */
function inline(text: string, key: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  // code, bold, italic (* or _), links; earliest match wins
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|(?<![\w])_([^_\s][^_]*)_(?![\w])|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const k = `${key}-${n++}`;
    if (m[1] !== undefined) out.push(<code key={k}>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong key={k}>{inline(m[2], k)}</strong>);
    else if (m[3] !== undefined) out.push(<em key={k}>{inline(m[3], k)}</em>);
    else if (m[4] !== undefined) out.push(<em key={k}>{inline(m[4], k)}</em>);
    else if (m[5] !== undefined && m[6] !== undefined) {
      if (SAFE_URL.test(m[6])) {
        out.push(
          <a key={k} href={m[6]} target="_blank" rel="noopener noreferrer nofollow">
            {m[5]}
          </a>,
        );
      } else {
        out.push(m[0]);
      }
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Lines of a paragraph, with line breaks between them. */
function lines(ls: string[], key: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  ls.forEach((l, i) => {
    if (i > 0) out.push(<br key={`${key}-br${i}`} />);
    out.push(...inline(l, `${key}-${i}`));
  });
  return out;
}

export function Markdown({ text, class: cls }: { text: string; class?: string }): VNode {
  const blocks: VNode[] = [];
  const src = text.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  let b = 0;
  while (i < src.length) {
    const line = src[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const key = `b${b++}`;
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      const content = inline(heading[2], key);
      blocks.push(level === 1 ? <h3 key={key}>{content}</h3> : level === 2 ? <h4 key={key}>{content}</h4> : <h5 key={key}>{content}</h5>);
      i++;
      continue;
    }
    if (/^\s*[-*]\s+/.test(line) || /^\s*\d+[.)]\s+/.test(line)) {
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const itemRe = ordered ? /^\s*\d+[.)]\s+(.*)$/ : /^\s*[-*]\s+(.*)$/;
      const items: ComponentChildren[] = [];
      let n = 0;
      while (i < src.length && itemRe.test(src[i])) {
        const m = itemRe.exec(src[i]) as RegExpExecArray;
        items.push(<li key={`${key}-${n}`}>{inline(m[1], `${key}-${n}`)}</li>);
        n++;
        i++;
      }
      blocks.push(ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>);
      continue;
    }
    const para: string[] = [];
    while (i < src.length && src[i].trim() && !/^(#{1,3})\s+/.test(src[i]) && !/^\s*([-*]|\d+[.)])\s+/.test(src[i])) {
      para.push(src[i]);
      i++;
    }
    blocks.push(<p key={key}>{lines(para, key)}</p>);
  }
  return <div class={cls ?? 'markdown'}>{blocks}</div>;
}
