/** Collects the process warnings threadline emits (what a user sees on stderr at the default level). */
export function captureWarnings(): { warnings: (Error & { code?: string })[]; restore(): void } {
  const warnings: (Error & { code?: string })[] = [];
  const listener = (warning: Error & { code?: string }) => {
    if (warning.name === 'ThreadlineWarning') warnings.push(warning);
  };
  process.on('warning', listener);
  return { warnings, restore: () => process.off('warning', listener) };
}

/** Process warnings are delivered on a later tick. */
export const nextWarnings = () => new Promise((resolve) => setTimeout(resolve, 20));
