import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import HrcDemo from './HrcDemo.vue';
import './custom.css';

export const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('HrcDemo', HrcDemo);
  },
};

// VitePress loads the theme as this module's default export.
// eslint-disable-next-line no-restricted-syntax
export default theme;
