/**
 * Markdown-style shortcuts while typing: `# `, `## `, `### ` for headings, `* ` or `- ` for a
 * bullet list, `1. ` for a numbered list, `> ` for a quote, ```` ``` ```` for a code block, `---` for
 * a horizontal rule, and `**bold**`, `*italic*`, `~~strike~~`, `` `code` `` around text.
 * Backspace right after a rule undoes it (see keymap.ts).
 */
import type { MarkType } from 'prosemirror-model';
import {
  InputRule,
  ellipsis,
  inputRules,
  textblockTypeInputRule,
  wrappingInputRule,
} from 'prosemirror-inputrules';
import { TextSelection, type Plugin } from 'prosemirror-state';
import { marks, nodes } from '../../document/schema.js';

/**
 * A rule that applies `type` to text between two delimiters once the closing one is typed. The
 * regex's last group is the text; everything else in the match is the delimiters and the
 * character before them, which is kept.
 */
function markRule(pattern: RegExp, type: MarkType): InputRule {
  return new InputRule(pattern, (state, match, start, end) => {
    const text = match[match.length - 1];
    const full = match[0];
    if (!text) return null;
    const $start = state.doc.resolve(start);
    if ($start.parent.type.spec.code || !$start.parent.type.allowsMarkType(type)) return null;
    // Leading context (the character before the opening delimiter) stays as it is.
    const lead = match[1] ?? '';
    const textStart = start + full.indexOf(text, lead.length);
    const textEnd = textStart + text.length;
    const tr = state.tr;
    // The document holds the match minus its last character, which is being typed now. Delete
    // the closing delimiter first so that the opening one's positions stay valid.
    tr.delete(textEnd, end);
    tr.delete(start + lead.length, textStart);
    const markEnd = textEnd - (textStart - (start + lead.length));
    tr.addMark(start + lead.length, markEnd, type.create());
    tr.removeStoredMark(type);
    return tr;
  });
}

/** `---` at the start of an empty paragraph becomes a horizontal rule followed by a new paragraph. */
const horizontalRuleRule = new InputRule(/^---$/, (state, _match, start, end) => {
  const $start = state.doc.resolve(start);
  // The paragraph must hold nothing but the two dashes typed so far (the third is being typed).
  const parent = $start.parent;
  if (end - start !== 2 || parent.type !== nodes.paragraph || $start.parentOffset !== 0 || parent.content.size !== 2) {
    return null;
  }
  const from = $start.before();
  const to = $start.after();
  const container = $start.node($start.depth - 1);
  const index = $start.index($start.depth - 1);
  const replacement = [nodes.horizontalRule.create(), nodes.paragraph.create()];
  if (!container.canReplace(index, index + 1, nodes.doc.create(null, replacement).content)) return null;
  const tr = state.tr.replaceWith(from, to, replacement);
  return tr.setSelection(TextSelection.create(tr.doc, from + 2));
});

/** The input rules plugin of the Quire editor. */
export function buildInputRules(): Plugin {
  return inputRules({
    rules: [
      ellipsis,
      textblockTypeInputRule(/^(#{1,3})\s$/, nodes.heading, (match) => ({ level: match[1]?.length ?? 1 })),
      wrappingInputRule(/^\s*([-*])\s$/, nodes.bulletList),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.orderedList,
        (match) => ({ order: Number(match[1]) }),
        (match, node) => node.childCount + Number(node.attrs['order']) === Number(match[1]),
      ),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      textblockTypeInputRule(/^```$/, nodes.codeBlock),
      horizontalRuleRule,
      markRule(/(^|[^*])\*\*([^*\s](?:[^*]*[^*\s])?)\*\*$/, marks.strong),
      markRule(/(^|[^*\w])\*([^*\s](?:[^*]*[^*\s])?)\*$/, marks.em),
      markRule(/(^|[^_\w])_([^_\s](?:[^_]*[^_\s])?)_$/, marks.em),
      markRule(/(^|[^~])~~([^~\s](?:[^~]*[^~\s])?)~~$/, marks.strike),
      markRule(/(^|[^`])`([^`]+)`$/, marks.code),
    ],
  });
}
