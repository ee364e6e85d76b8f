// Line-level reading and editing of one kind: Service YAML document, for the policy editor's form.
// These functions never re-serialise the document: an edit rewrites only the value on the lines it
// concerns (or inserts one line), so comments, anchors (&check / *check), key order and blank
// lines stay exactly as the author wrote them. They read the block style a policy is written in
// (docs/policy-reference.md); a document they cannot follow gives an empty reading, and an edit
// they cannot place returns the text unchanged. All functions are pure: text in, text out.

const KEY = /^( *)(- +)?([A-Za-z_][\w.-]*)[ \t]*:(?=[ \t]|$)(.*)$/;

/** A "key: value  # comment" line taken apart, or null for anything else. */
function keyLine(line) {
  const m = KEY.exec(line);
  if (!m) {
    return null;
  }
  const rest = m[4];
  const hash = rest.search(/(^|[ \t])#/);
  const body = hash >= 0 ? rest.slice(0, hash) : rest;
  const value = body.trim();
  const valueEnd = value ? body.indexOf(value) + value.length : 0;
  return {
    column: m[1].length + (m[2] ? m[2].length : 0),
    dash: m[2] !== undefined,
    dashColumn: m[1].length,
    key: m[3],
    value,
    head: line.slice(0, line.length - rest.length),
    tail: value ? rest.slice(valueEnd) : (hash >= 0 ? rest.slice(hash) : ''),
  };
}

const isBlankOrComment = (line) => /^\s*(#.*)?$/.test(line);
const indentOf = (line) => /^ */.exec(line)[0].length;

/** A value that opens a nested block on the following lines: nothing, an anchor or a tag alone. */
const opensBlock = (value) => value === '' || /^[&!]\S*$/.test(value) || /^[|>]/.test(value);

function unquote(value) {
  const m = /^(['"])(.*)\1$/.exec(value);
  return m ? m[2] : value;
}

function integer(value) {
  return /^-?\d+$/.test(value) ? Number(value) : null;
}

/** The line range [start, end) of a top-level key's section, or null. */
function section(lines, key) {
  const start = lines.findIndex((line) => {
    const k = keyLine(line);
    return k && !k.dash && k.column === 0 && k.key === key;
  });
  if (start < 0) {
    return null;
  }
  let end = start + 1;
  while (end < lines.length && (isBlankOrComment(lines[end]) || indentOf(lines[end]) > 0
      || /^- /.test(lines[end]))) {
    end++;
  }
  // Trailing blank and comment lines belong to what follows.
  while (end > start + 1 && isBlankOrComment(lines[end - 1])) {
    end--;
  }
  return { start, end };
}

/** The items of a block list section: each with its range, key column and direct keys. */
function items(lines, key) {
  const range = section(lines, key);
  if (!range) {
    return [];
  }
  const found = [];
  let dashColumn = -1;
  for (let i = range.start + 1; i < range.end; i++) {
    const m = /^( *)- /.exec(lines[i]);
    if (!m || (dashColumn >= 0 && m[1].length !== dashColumn)) {
      continue;
    }
    dashColumn = m[1].length;
    if (found.length) {
      found[found.length - 1].end = i;
    }
    found.push({ start: i, end: range.end });
  }
  for (const item of found) {
    while (item.end > item.start + 1 && isBlankOrComment(lines[item.end - 1])) {
      item.end--;
    }
    const first = keyLine(lines[item.start]);
    item.keyColumn = first ? first.column : dashColumn + 2;
    item.keys = [];
    for (let i = item.start; i < item.end; i++) {
      const k = keyLine(lines[i]);
      if (k && k.column === item.keyColumn && (i === item.start || !k.dash)) {
        item.keys.push({ index: i, ...k });
      }
    }
    item.value = (name) => {
      const k = item.keys.find((entry) => entry.key === name);
      return k ? unquote(k.value) : null;
    };
  }
  return found;
}

/** A list value: a flow list on the key's line, or a block list of "- x" lines below it. */
function listValue(lines, item, name) {
  const k = item.keys.find((entry) => entry.key === name);
  if (!k) {
    return null;
  }
  const flow = /^\[(.*)\]$/.exec(k.value);
  if (flow) {
    return flow[1].split(',').map((v) => unquote(v.trim())).filter((v) => v !== '');
  }
  const values = [];
  for (let i = k.index + 1; i < item.end; i++) {
    const m = /^( *)- +([^#]*?)\s*(#.*)?$/.exec(lines[i]);
    if (m && m[1].length >= k.column) {
      values.push(unquote(m[2]));
    } else if (!isBlankOrComment(lines[i])) {
      break;
    }
  }
  return values;
}

function lineOfItemValue(lines, item, key, value) {
  const existing = item.keys.find((entry) => entry.key === key);
  if (existing) {
    lines[existing.index] = `${existing.head} ${value}${existing.tail}`;
    return lines;
  }
  // Insert among the item's plain values, before the first key that opens a nested block, so the
  // new line can never land inside a nested mapping such as an anchored healthCheck.
  let after = item.keys[0].index;
  for (const entry of item.keys) {
    if (opensBlock(entry.value)) {
      break;
    }
    after = entry.index;
  }
  lines.splice(after + 1, 0, `${' '.repeat(item.keyColumn)}${key}: ${value}`);
  return lines;
}

function editItem(text, listKey, matchKey, matchValue, edit) {
  const lines = text.split('\n');
  const item = items(lines, listKey).find((i) => i.value(matchKey) === matchValue);
  if (!item) {
    return text;
  }
  edit(lines, item);
  return lines.join('\n');
}

/** Every backend as written: name, jurisdiction, and weight and priority (null when absent). */
export function readBackends(text) {
  const lines = text.split('\n');
  return items(lines, 'backends').filter((item) => item.value('name') !== null).map((item) => ({
    name: item.value('name'),
    jurisdiction: item.value('jurisdiction'),
    weight: integer(item.value('weight') ?? ''),
    priority: integer(item.value('priority') ?? ''),
  }));
}

/** Every residency rule as written: zone, allowed jurisdictions, whenNoneHealthy (null when absent). */
export function readResidency(text) {
  const lines = text.split('\n');
  return items(lines, 'residency').filter((item) => item.value('zone') !== null).map((item) => ({
    zone: item.value('zone'),
    allow: listValue(lines, item, 'allow') ?? [],
    whenNoneHealthy: item.value('whenNoneHealthy'),
  }));
}

/** Sets one plain value of a backend (weight, priority...), inserting the key when it is absent. */
export function setBackendValue(text, backend, key, value) {
  return editItem(text, 'backends', 'name', backend, (lines, item) => lineOfItemValue(lines, item, key, String(value)));
}

/** Gives the named backends priorities 1..n in the order given: the failover order. */
export function setFailoverOrder(text, names) {
  return names.reduce((current, name, i) => setBackendValue(current, name, 'priority', i + 1), text);
}

/** Sets what a residency rule allows, keeping the list's style (flow [A, B] or one "- A" per line). */
export function setResidencyAllow(text, zone, jurisdictions) {
  return editItem(text, 'residency', 'zone', zone, (lines, item) => {
    const k = item.keys.find((entry) => entry.key === 'allow');
    if (!k || k.value !== '') {
      lineOfItemValue(lines, item, 'allow', `[${jurisdictions.join(', ')}]`);
      return;
    }
    let end = k.index + 1;
    let column = item.keyColumn + 2;
    const old = [];
    while (end < item.end) {
      const m = /^( *)- /.exec(lines[end]);
      if (m && m[1].length >= k.column) {
        column = m[1].length;
        old.push(end);
      } else if (!isBlankOrComment(lines[end])) {
        break;
      }
      end++;
    }
    const last = old.length ? old[old.length - 1] + 1 : k.index + 1;
    lines.splice(k.index + 1, last - k.index - 1, ...jurisdictions.map((j) => `${' '.repeat(column)}- ${j}`));
  });
}

/** Sets a residency rule's whenNoneHealthy, inserting it when it is absent. */
export function setWhenNoneHealthy(text, zone, value) {
  return editItem(text, 'residency', 'zone', zone, (lines, item) => lineOfItemValue(lines, item, 'whenNoneHealthy', value));
}
