// The package ships no types; we call one function of it.
declare module 'murmurhash3js-revisited' {
  interface MurmurHash3 {
    inputValidation: boolean;
    x86: { hash32(bytes: ArrayLike<number>, seed?: number): number };
  }
  const murmurHash3: MurmurHash3;
  export default murmurHash3;
}
