/**
 * [choice] The reference's `moduleType` for an eSIM profile is `profilePackage`; cellgate stores
 * `esim` for the profiles its orders provision and shows `profilePackage` in the Subscriber and
 * Sim views.
 */
export function publicModuleType(moduleType: string): string {
  return moduleType === 'esim' ? 'profilePackage' : moduleType;
}
