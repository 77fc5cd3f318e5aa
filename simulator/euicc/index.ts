/** The simulated eUICC: a `SimCard` with profiles, notifications and an ES10 APDU server. */
export { Euicc, EuiccError, createEuicc, channelOfCla } from './euicc.js';
export type { EuiccOptions, EuiccProfileSeed, InstalledProfileData } from './euicc.js';
export { FileEuiccStore, MemoryEuiccStore, EuiccStateError } from './euicc-state.js';
export type { EuiccStore, EuiccState, EuiccProfile, EuiccNotification } from './euicc-state.js';
export { defaultQuirks, SHORTCUT_SMDP_OID } from './es10-handlers.js';
export { identitySourceFromDir, resolveIdentity, mintIdentity, EuiccIdentityError } from './euicc-identity.js';
export type { EuiccIdentity, EuiccIdentitySource, ResolvedIdentity } from './euicc-identity.js';
export type { EuiccQuirks } from './es10-handlers.js';
