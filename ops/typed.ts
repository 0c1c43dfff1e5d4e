/**
 * Op dispatch. Public ops are typed-functions: each declares its signatures
 * (`'Tensor, Tensor'`, `'Tensor, number'`, `'CSR, Tensor'`, …) and a call matching none of
 * them throws a TypeError naming the op, the argument index and the types it expected.
 */
import typedFunction, { type TypedFunctionInstance } from 'typed-function';
import { Tensor } from '../core/tensor.js';
import { CSR } from '../core/csr.js';
import { RowSparse } from '../core/rowsparse.js';

export const typed: TypedFunctionInstance = typedFunction.create();

typed.addType({ name: 'Tensor', test: (x) => x instanceof Tensor });
typed.addType({ name: 'CSR', test: (x) => x instanceof CSR });
typed.addType({ name: 'RowSparse', test: (x) => x instanceof RowSparse });
typed.addType({ name: 'Int32Array', test: (x) => x instanceof Int32Array });
typed.addType({ name: 'TypedArray', test: (x) => ArrayBuffer.isView(x) && !(x instanceof DataView) });
