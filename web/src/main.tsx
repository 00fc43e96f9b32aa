import { createRoot } from 'react-dom/client';
import { App } from './App';
import './index.css';

// No StrictMode: its double-invoked effects would open the camera twice on every page load.
const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
