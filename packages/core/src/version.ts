/** This package's name and version: the instrumentation scope of core's own spans and metrics. */
declare const __THREADLINE_PACKAGE_VERSION__: string | undefined;
export const CORE_SCOPE = Object.freeze({
  name: '@threadline/core',
  version: typeof __THREADLINE_PACKAGE_VERSION__ === 'string' ? __THREADLINE_PACKAGE_VERSION__ : 'dev',
});
