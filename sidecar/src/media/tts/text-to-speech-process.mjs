// Child process of ProcessTextToSpeech in the checkout: the TypeScript runs through tsx (no build
// step). The built package forks dist/text-to-speech-process.mjs, compiled from the same child.
import { register } from "tsx/esm/api";

register();
await import("./text-to-speech-child.ts");
