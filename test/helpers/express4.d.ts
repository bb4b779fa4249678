// `express4` is an npm alias of express@4; its API is typed closely enough by @types/express.
declare module 'express4' {
  import express from 'express';
  export default express;
}
