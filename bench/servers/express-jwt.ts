// Authentication suite: Express 5 with express-jwt (over jsonwebtoken), set up as its README shows:
// `app.use(expressjwt({ secret, algorithms }))` with the issuer it recommends setting, and the error
// handler it documents for UnauthorizedError (here answering 401 with a small JSON body).
// jsonwebtoken has no EdDSA (its verify knows HS*, RS*, PS* and ES* only), so EdDSA is not measured.

import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressjwt } from 'express-jwt';
import { authServerArgs, verifyingKey } from '../authWorkload.ts';
import { addExpressPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const { fixture, alg } = authServerArgs();
if (alg === 'apikey' || alg === 'EdDSA') {
  process.stdout.write(`UNAVAILABLE express-jwt (jsonwebtoken 9) does not verify ${alg === 'EdDSA' ? 'EdDSA' : 'API keys'}\n`);
  process.exit(0);
}
const app = express();
app.use(expressjwt({ secret: verifyingKey(fixture, alg), algorithms: [alg], issuer: fixture.issuer }));
addExpressPostsRoute(app);
app.use((err: Error, _req: Request, res: Response, next: NextFunction) => {
  if (err.name === 'UnauthorizedError') res.status(401).json({ error: 'invalid token' });
  else next(err);
});
listenAndAnnounce(createServer(app), port);
