// The recorder is loaded for its effect: it installs globalThis.quireBenchSegments (see relay-segments.ts).
export {};
