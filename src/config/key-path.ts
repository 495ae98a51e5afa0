// The formatter lives in core so manifest errors (collect) name key paths the same way.
export { keyPath } from '../core/key-path.js';
