import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'src/ocpp/types/generated/**', 'artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // the portal runs in the browser
  { files: ['web/src/**'], languageOptions: { globals: { window: 'readonly', document: 'readonly', localStorage: 'readonly', fetch: 'readonly', EventSource: 'readonly', MessageEvent: 'readonly', URLSearchParams: 'readonly', Blob: 'readonly', HTMLElement: 'readonly', HTMLDialogElement: 'readonly', ResizeObserver: 'readonly' } } },
  { files: ['src/cli/**', 'bench/**', 'scripts/**', 'test/**', 'tools/**'], rules: { 'no-console': 'off' } },
);
