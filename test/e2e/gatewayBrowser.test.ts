// The browser suite through the gateway: the shared cases (browserCases.ts) against
// `gatehouse serve --upstream` in front of a Django REST Framework app with no CORS package
// (gatewayTarget.ts says how it is built and counted). Issue 8: the browser suite passes through the
// gateway as it does against the built-in server. The `gatehouse demo` rows stay in browser.test.ts.

import { defineBrowserCases } from './browserCases.ts';
import { useGatewayTarget } from './gatewayTarget.ts';

const suite = defineBrowserCases(useGatewayTarget(() => suite.origins()));
