// A line diff for the audit log: the longest common subsequence of two texts' lines, as a list
// of kept, removed and added lines, with long unchanged stretches folded. Pure functions.

/** Past this many lines on either side the diff is not computed (the table would be too large). */
export const MAX_LINES = 3000;

/** [{kind: 'same'|'removed'|'added', text}] turning before into after, or null when too large. */
export function lineDiff(before, after) {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    return null;
  }
  // lengths[i][j]: the LCS length of a[i..] and b[j..], one row of Uint16 per line of a.
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] });
      i++;
      j++;
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      out.push({ kind: 'removed', text: a[i++] });
    } else {
      out.push({ kind: 'added', text: b[j++] });
    }
  }
  while (i < a.length) {
    out.push({ kind: 'removed', text: a[i++] });
  }
  while (j < b.length) {
    out.push({ kind: 'added', text: b[j++] });
  }
  return out;
}

/**
 * Folds runs of unchanged lines longer than 2 × context + 1 into {kind: 'folded', count}, keeping
 * `context` lines around every change.
 */
export function fold(lines, context = 3) {
  const out = [];
  let run = [];
  const flush = (atEnd) => {
    const keepBefore = out.length === 0 ? 0 : context;
    const keepAfter = atEnd ? 0 : context;
    if (run.length > keepBefore + keepAfter + 1) {
      out.push(...run.slice(0, keepBefore));
      out.push({ kind: 'folded', count: run.length - keepBefore - keepAfter });
      out.push(...run.slice(run.length - keepAfter));
    } else {
      out.push(...run);
    }
    run = [];
  };
  for (const line of lines) {
    if (line.kind === 'same') {
      run.push(line);
    } else {
      flush(false);
      out.push(line);
    }
  }
  flush(true);
  return out;
}
