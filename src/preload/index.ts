// Preload (sandboxed, context-isolated): expose exactly the Api as window.api. The bridge wraps
// ipcRenderer in one function per Api method; ipcRenderer itself never reaches the page. A folder dropped
// onto the window goes to main from here (folder-drop.ts).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { IPC_OPEN_DROPPED } from '../shared/bridge.js';
import { createBridge } from './bridge.js';
import { installFolderDrop } from './folder-drop.js';

const api = createBridge(ipcRenderer);
contextBridge.exposeInMainWorld('api', api);
installFolderDrop(
  window as unknown as Parameters<typeof installFolderDrop>[0],
  (file) => webUtils.getPathForFile(file as File),
  (path) => ipcRenderer.send(IPC_OPEN_DROPPED, path),
);
