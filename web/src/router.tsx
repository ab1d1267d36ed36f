// Client-side routes on the history API. The server answers index.html for
// every path outside /api/, so any route can be loaded or reloaded directly.
// Links are real <a href> elements; a plain left click is handled here
// without reloading the page, any modified click is left to the browser.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';

export interface Router {
  path: string;
  navigate: (to: string, options?: { replace?: boolean }) => void;
}

const RouterContext = createContext<Router>({ path: '/', navigate: () => {} });

/** Set when the user moves to another page, so the new page takes focus. */
let focusPending = false;

export function takeFocusPending(): boolean {
  const pending = focusPending;
  focusPending = false;
  return pending;
}

export function RouterProvider({ children }: { children: ComponentChildren }) {
  const [path, setPath] = useState(window.location.pathname);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    const onPop = () => {
      // a jump to a fragment (the skip link) is not a change of page
      if (window.location.pathname === current.current) return;
      focusPending = true;
      setPath(window.location.pathname);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const navigate = (to: string, options: { replace?: boolean } = {}) => {
    if (to === window.location.pathname) {
      focusPending = true;
      setPath(to);
      return;
    }
    if (options.replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    focusPending = !options.replace;
    setPath(to);
    window.scrollTo(0, 0);
  };

  return <RouterContext.Provider value={{ path, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter(): Router {
  return useContext(RouterContext);
}

interface LinkProps {
  href: string;
  class?: string;
  children: ComponentChildren;
  onNavigate?: () => void;
  'aria-current'?: 'page' | undefined;
  'data-testid'?: string;
}

export function Link({ href, children, onNavigate, ...rest }: LinkProps) {
  const { navigate } = useRouter();
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(href);
    if (onNavigate) onNavigate();
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
