export * from "./dtmf.ts";
