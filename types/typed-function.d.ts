// Minimal declarations for typed-function v4 (the package ships none).
declare module 'typed-function' {
  export interface TypedFunctionInstance {
    (name: string, signatures: Record<string, (...args: any[]) => any>): (...args: any[]) => any;
    (signatures: Record<string, (...args: any[]) => any>): (...args: any[]) => any;
    create(): TypedFunctionInstance;
    addType(type: { name: string; test: (x: unknown) => boolean }, beforeObjectTest?: boolean): void;
    addConversion(conversion: { from: string; to: string; convert: (x: any) => any }): void;
    isTypedFunction(fn: unknown): boolean;
    onMismatch: (name: string, args: unknown[], signatures: unknown[]) => never;
    throwMismatchError: (name: string, args: unknown[], signatures: unknown[]) => never;
  }
  const typed: TypedFunctionInstance;
  export default typed;
}
