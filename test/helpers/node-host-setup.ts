import { installNodeHost } from '../../src/cli/node-host.js';

// Tests call the core directly (not through `main`): give it Node's files and libraries first.
installNodeHost();
