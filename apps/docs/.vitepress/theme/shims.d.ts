declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  // A .vue module's component is its default export.
  // eslint-disable-next-line no-restricted-syntax
  export default component;
}
declare module '*.css';
