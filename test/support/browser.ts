/** Real headless Chromium for browser tests: the one launch helper lives in `scripts/chromium.ts`. */
export { artifactDir, CHROMIUM_ARGS, chromiumPath, launchBrowser, newPage } from '../../scripts/chromium.js';
