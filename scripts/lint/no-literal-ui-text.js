// ESLint rule: UI text in the renderer goes through i18n. Flags JSX text and user-facing
// attributes (aria-label, title, placeholder, alt) written as literals with letters in them.
const userFacingAttributes = new Set(['aria-label', 'title', 'placeholder', 'alt']);
const hasLetters = (text) => /\p{L}{2,}/u.test(text);

export const noLiteralUiText = {
  meta: {
    type: 'problem',
    docs: { description: 'UI strings must come from the i18n layer (t(...)).' },
    messages: { literal: 'Translate this UI text with t(...): "{{text}}".' },
    schema: [],
  },
  create(context) {
    const report = (node, text) =>
      context.report({ node, messageId: 'literal', data: { text: text.trim().slice(0, 40) } });
    return {
      JSXText(node) {
        if (hasLetters(node.value)) report(node, node.value);
      },
      JSXAttribute(node) {
        const name = node.name.type === 'JSXIdentifier' ? node.name.name : '';
        if (!userFacingAttributes.has(name) || node.value?.type !== 'Literal') return;
        if (typeof node.value.value === 'string' && hasLetters(node.value.value)) report(node, node.value.value);
      },
    };
  },
};
