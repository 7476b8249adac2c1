// The `express4` dev dependency is Express 4 under another name, so both majors are tested.
declare module 'express4' {
  import express from 'express';
  export default express;
}
