// The project's own ESLint rules, one file each.
import { importBoundaries } from './import-boundaries.js';
import { noLiteralUiText } from './no-literal-ui-text.js';

export default {
  rules: {
    'import-boundaries': importBoundaries,
    'no-literal-ui-text': noLiteralUiText,
  },
};
