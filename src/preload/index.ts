// Preload (sandboxed, context-isolated): expose exactly the Api as window.api.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('api', createBridge(ipcRenderer));
