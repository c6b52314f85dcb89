/**
 * The structure of a rendered configuration, as the proxy's own parser sees it, with every
 * argument's value thrown away: which directives exist, in which block, with how many arguments.
 * If a user string can change this, it injected configuration. Sibling order is canonicalized
 * (sorted), because a different value may legitimately sort a location or rule elsewhere; what an
 * injection changes is what exists, not where.
 *
 * The tokenizers follow the proxies' lexers: nginx `ngx_conf_read_token` (quotes with backslash
 * escapes; `#` starts a comment only at the start of a token; `;`, `{` and `}` end tokens),
 * HAProxy's line parser (double quotes with escapes, single quotes literal, backslash escapes
 * outside quotes, `#` at a token start).
 */

interface Node {
  readonly label: string;
  readonly children: Node[];
}

function canonical(node: Node, depth = 0): string[] {
  const children = node.children.map((child) => canonical(child, depth + 1).join('\n')).sort();
  return [`${'  '.repeat(depth)}${node.label}`, ...children];
}

/** Blocks whose lines are data (a key and a value), not directives. */
const NGINX_DATA_BLOCKS = new Set(['map', 'split_clients', 'geo', 'types']);

export function nginxSkeleton(config: string): string[] {
  const root: Node = { label: '(config)', children: [] };
  const stack: { node: Node; name: string }[] = [{ node: root, name: '' }];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < config.length; i++) {
    const ch = config[i]!;
    if (word === undefined && ch === '#') {
      while (i < config.length && config[i] !== '\n') i++;
      continue;
    }
    if (word === undefined && (ch === '"' || ch === "'")) {
      let value = '';
      for (i++; i < config.length && config[i] !== ch; i++)
        value += config[i] === '\\' ? config[++i] : config[i];
      words.push(value);
      continue;
    }
    if (/\s/.test(ch)) {
      endWord();
      continue;
    }
    if (ch !== ';' && ch !== '{' && ch !== '}') {
      word = (word ?? '') + (ch === '\\' ? (config[++i] ?? '') : ch);
      continue;
    }
    endWord();
    const top = stack.at(-1)!;
    const name = NGINX_DATA_BLOCKS.has(top.name) ? '(entry)' : (words[0] ?? '(none)');
    if (ch === ';') top.node.children.push({ label: `${name}/${words.length - 1};`, children: [] });
    if (ch === '{') {
      const node: Node = { label: `${name}/${words.length - 1}{`, children: [] };
      top.node.children.push(node);
      stack.push({ node, name: words[0] ?? '' });
    }
    if (ch === '}') {
      if (words.length > 0)
        top.node.children.push({ label: `(dangling ${words.length} words)`, children: [] });
      stack.pop();
      if (stack.length === 0) return ['(unbalanced })'];
    }
    words = [];
  }
  endWord();
  if (words.length > 0 || stack.length !== 1)
    root.children.push({ label: `(unterminated at depth ${stack.length - 1})`, children: [] });
  return canonical(root);
}

/** HAProxy: a section is an unindented line and the indented lines after it. */
export function haproxySkeleton(config: string): string[] {
  const root: Node = { label: '(config)', children: [] };
  let section: Node | undefined;
  for (const line of config.split('\n')) {
    const words = haproxyWords(line);
    if (words.length === 0) continue;
    const node: Node = { label: `${words[0]}/${words.length - 1}`, children: [] };
    if (/^\s/.test(line) && section) section.children.push(node);
    else root.children.push((section = node));
  }
  return canonical(root);
}

function haproxyWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (word === undefined && ch === '#') break;
    if (ch === ' ' || ch === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === '"' || ch === "'") {
      word ??= '';
      for (i++; i < line.length && line[i] !== ch; i++)
        word += ch === '"' && line[i] === '\\' ? (line[++i] ?? '') : line[i];
    } else {
      word = (word ?? '') + (ch === '\\' ? (line[++i] ?? '') : ch);
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
