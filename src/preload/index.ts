// Preload (sandboxed, context-isolated): expose exactly the Api as window.api. The bridge wraps
// ipcRenderer in one function per Api method; ipcRenderer itself never reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

const api = createBridge(ipcRenderer);
contextBridge.exposeInMainWorld('api', api);
