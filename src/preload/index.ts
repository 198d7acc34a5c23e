// Preload bridge (placeholder until the desktop shell lands).
export {};
