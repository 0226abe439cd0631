import { pageTour } from "./page-tour.js";

// The page tour in English (the other language has a file of its own, so the two run on different workers).
pageTour("en");
