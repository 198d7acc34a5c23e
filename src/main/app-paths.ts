// Where the desktop app's files are. From a checkout (npm start) everything is under the package root.
// Packaged, the app is app.asar; the demo also lies unpacked beside it (electron-builder.yml asarUnpack),
// because it is copied with fs.cp into the user's data folder and that needs real files.
import path from 'node:path';

export interface AppPaths {
  /** out/renderer, out/preload: read through Electron's asar support. */
  readonly appRoot: string;
  /** The folder holding resources/demo, for the engine (StudioDeps.appRoot). */
  readonly resourcesRoot: string;
  /** The window icon (Linux and Windows; macOS takes the bundle's). */
  readonly iconPath: string;
}

export function appPaths(appPath: string, isPackaged: boolean): AppPaths {
  return {
    appRoot: appPath,
    resourcesRoot: isPackaged && appPath.endsWith('.asar') ? `${appPath}.unpacked` : appPath,
    iconPath: path.join(appPath, 'resources', 'icons', '512x512.png'),
  };
}
