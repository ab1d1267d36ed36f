// Entry point of piazza's browser UI.
import { render } from 'preact';
import { App } from './app';
import { RouterProvider } from './router';
import './styles.css';

const root = document.getElementById('app');
if (root) render(
    <RouterProvider>
      <App />
    </RouterProvider>,
    root,
  );
