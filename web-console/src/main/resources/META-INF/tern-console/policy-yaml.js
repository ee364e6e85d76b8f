// Line-level edits of a service policy's YAML for the policy editor's form. The form changes only
// the lines it must (a value after its key, or one inserted key), so comments, anchors and the
// author's layout survive, and the text stays the one source of truth: validation and the plan
// diff always run on the text. Pure functions over strings; nothing here touches the page.
//
// Understood: block-style lists under the top-level `backends:` and `residency:` keys, items
// written as `- name: x` / `- zone: EU` followed by their keys. An item written in flow style
// (`- {name: x, ...}`) is reported as such and left to the text editor.

const TOP_KEY = /^([A-Za-z][\w-]*):(\s*(#.*)?)?$/;
const ITEM = /^(\s*)-\s+(.*)$/;
const KEY_VALUE = /^(\s*)([A-Za-z][\w-]*):(\s*)(.*)$/;

/** The lines of the block under a top-level key: [first, end) line indices, or null. */
function section(lines, key) {
  const start = lines.findIndex((l) => TOP_KEY.test(l) && l.startsWith(`${key}:`));
  if (start < 0) {
    return null;
  }
  let end = start + 1;
  while (end < lines.length && (lines[end].trim() === '' || /^\s/.test(lines[end]) || lines[end].startsWith('-')
      || lines[end].trimStart().startsWith('#'))) {
    end++;
  }
  // Trailing blank and comment lines belong to what follows.
  while (end > start + 1 && (lines[end - 1].trim() === '' || lines[end - 1].trimStart().startsWith('#'))) {
    end--;
  }
  return { start: start + 1, end };
}

/** A value without its trailing comment, unquoted. */
function plain(value) {
  const withoutComment = value.replace(/\s+#.*$/, '').trim();
  return withoutComment.replace(/^(['"])(.*)\1$/, '$2');
}

/**
 * The items of a top-level list: for each, its identifying value (the `idKey`), the line range,
 * the column its keys start at, and its keys with their line and value.
 */
function items(yaml, listKey, idKey) {
  const lines = yaml.split('\n');
  const block = section(lines, listKey);
  if (!block) {
    return { lines, items: [] };
  }
  const found = [];
  let current = null;
  let itemIndent = null;
  for (let i = block.start; i < block.end; i++) {
    const line = lines[i];
    const item = ITEM.exec(line);
    if (item && (itemIndent === null || item[1].length === itemIndent)) {
      itemIndent = item[1].length;
      const column = line.indexOf(item[2]);
      current = { start: i, end: i + 1, column, keys: {}, flow: item[2].startsWith('{') };
      found.push(current);
      if (current.flow) {
        const id = new RegExp(`\\b${idKey}:\\s*([^,}]+)`).exec(item[2]);
        current.id = id ? plain(id[1]) : null;
        continue;
      }
      const kv = KEY_VALUE.exec(' '.repeat(column) + item[2]);
      if (kv) {
        current.keys[kv[2]] = { line: i, value: plain(kv[4]) };
      }
      continue;
    }
    if (!current) {
      continue;
    }
    current.end = i + 1;
    const kv = KEY_VALUE.exec(line);
    if (kv && kv[1].length === current.column && !current.flow) {
      current.keys[kv[2]] = { line: i, value: plain(kv[4]) };
    }
  }
  for (const it of found) {
    if (!it.flow) {
      it.id = it.keys[idKey] ? it.keys[idKey].value : null;
    }
    // An item ends at its last non-blank line.
    while (it.end > it.start + 1 && lines[it.end - 1].trim() === '') {
      it.end--;
    }
  }
  return { lines, items: found };
}

/** Sets `key: value` inside one item: replaces the value (keeping a trailing comment) or inserts the key. */
function setKey(yaml, listKey, idKey, id, key, value) {
  const { lines, items: list } = items(yaml, listKey, idKey);
  const item = list.find((it) => it.id === id);
  if (!item) {
    throw new Error(`no ${listKey} item with ${idKey} ${id}`);
  }
  if (item.flow) {
    throw new Error(`${id} is written on one line ({...}); edit it in the text`);
  }
  const existing = item.keys[key];
  if (existing) {
    const line = lines[existing.line];
    const at = line.indexOf(`${key}:`) + key.length + 1;
    const comment = /\s+#.*$/.exec(line.slice(at));
    lines[existing.line] = `${line.slice(0, at)} ${value}${comment ? comment[0] : ''}`;
  } else {
    const idLine = item.keys[idKey].line;
    lines.splice(idLine + 1, 0, `${' '.repeat(item.column)}${key}: ${value}`);
  }
  return lines.join('\n');
}

/** The backends the form can edit, in policy order: name, weight, priority (defaults 1), and whether it is flow style. */
export function backendsOf(yaml) {
  return items(yaml, 'backends', 'name').items.filter((it) => it.id).map((it) => ({
    name: it.id,
    flow: it.flow,
    weight: it.keys.weight ? it.keys.weight.value : '1',
    priority: it.keys.priority ? it.keys.priority.value : '1',
  }));
}

/** The residency rules: zone, allowed jurisdictions (as written) and whenNoneHealthy. */
export function residencyOf(yaml) {
  return items(yaml, 'residency', 'zone').items.filter((it) => it.id).map((it) => ({
    zone: it.id,
    flow: it.flow,
    allow: it.keys.allow ? it.keys.allow.value : '',
    whenNoneHealthy: it.keys.whenNoneHealthy ? it.keys.whenNoneHealthy.value : 'serve-unhealthy',
  }));
}

export function setBackendWeight(yaml, backend, weight) {
  return setKey(yaml, 'backends', 'name', backend, 'weight', String(weight));
}

export function setBackendPriority(yaml, backend, priority) {
  return setKey(yaml, 'backends', 'name', backend, 'priority', String(priority));
}

/** Failover order: priorities 1, 2, 3... in the order given. */
export function setFailoverOrder(yaml, names) {
  return names.reduce((text, name, i) => setBackendPriority(text, name, i + 1), yaml);
}

/** Allowed jurisdictions, written as a flow list: ['EU', 'CH'] → `allow: [EU, CH]`. */
export function setResidencyAllow(yaml, zone, jurisdictions) {
  return setKey(yaml, 'residency', 'zone', zone, 'allow', `[${jurisdictions.join(', ')}]`);
}

export function setResidencyWhenNoneHealthy(yaml, zone, choice) {
  return setKey(yaml, 'residency', 'zone', zone, 'whenNoneHealthy', choice);
}
